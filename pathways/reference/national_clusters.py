"""The National Career Clusters Framework: 16 clusters and their 79 career pathways.

Reference data, not code: `manage.py load_reference` loads it, and a district may replace it
(Advance CTE's 2024 framework, or New Mexico's own clusters) in the admin.
"""

FRAMEWORK = "National Career Clusters Framework"

CLUSTERS: list[tuple[str, str, list[str]]] = [
    (
        "AG",
        "Agriculture, Food & Natural Resources",
        [
            "Agribusiness Systems",
            "Animal Systems",
            "Environmental Service Systems",
            "Food Products & Processing Systems",
            "Natural Resources Systems",
            "Plant Systems",
            "Power, Structural & Technical Systems",
        ],
    ),
    ("AC", "Architecture & Construction", ["Construction", "Design/Pre-Construction", "Maintenance/Operations"]),
    (
        "AR",
        "Arts, A/V Technology & Communications",
        [
            "A/V Technology & Film",
            "Journalism & Broadcasting",
            "Performing Arts",
            "Printing Technology",
            "Telecommunications",
            "Visual Arts",
        ],
    ),
    (
        "BM",
        "Business Management & Administration",
        [
            "Administrative Support",
            "Business Information Management",
            "General Management",
            "Human Resources Management",
            "Operations Management",
        ],
    ),
    (
        "ED",
        "Education & Training",
        [
            "Administration & Administrative Support",
            "Professional Support Services",
            "Teaching/Training",
        ],
    ),
    ("FN", "Finance", ["Accounting", "Banking Services", "Business Finance", "Insurance", "Securities & Investments"]),
    (
        "GV",
        "Government & Public Administration",
        [
            "Foreign Service",
            "Governance",
            "National Security",
            "Planning",
            "Public Management & Administration",
            "Regulation",
            "Revenue & Taxation",
        ],
    ),
    (
        "HS",
        "Health Science",
        [
            "Biotechnology Research & Development",
            "Diagnostic Services",
            "Health Informatics",
            "Support Services",
            "Therapeutic Services",
        ],
    ),
    (
        "HT",
        "Hospitality & Tourism",
        [
            "Lodging",
            "Recreation, Amusements & Attractions",
            "Restaurants & Food/Beverage Services",
            "Travel & Tourism",
        ],
    ),
    (
        "HU",
        "Human Services",
        [
            "Consumer Services",
            "Counseling & Mental Health Services",
            "Early Childhood Development & Services",
            "Family & Community Services",
            "Personal Care Services",
        ],
    ),
    (
        "IT",
        "Information Technology",
        [
            "Information Support & Services",
            "Network Systems",
            "Programming & Software Development",
            "Web & Digital Communications",
        ],
    ),
    (
        "LW",
        "Law, Public Safety, Corrections & Security",
        [
            "Correction Services",
            "Emergency & Fire Management Services",
            "Law Enforcement Services",
            "Legal Services",
            "Security & Protective Services",
        ],
    ),
    (
        "MN",
        "Manufacturing",
        [
            "Health, Safety & Environmental Assurance",
            "Logistics & Inventory Control",
            "Maintenance, Installation & Repair",
            "Manufacturing Production Process Development",
            "Production",
            "Quality Assurance",
        ],
    ),
    (
        "MK",
        "Marketing",
        [
            "Marketing Communications",
            "Marketing Management",
            "Marketing Research",
            "Merchandising",
            "Professional Sales",
        ],
    ),
    ("ST", "Science, Technology, Engineering & Mathematics", ["Engineering & Technology", "Science & Mathematics"]),
    (
        "TD",
        "Transportation, Distribution & Logistics",
        [
            "Facility & Mobile Equipment Maintenance",
            "Health, Safety & Environmental Management",
            "Logistics Planning & Management Services",
            "Sales & Service",
            "Transportation Operations",
            "Transportation Systems/Infrastructure Planning, Management & Regulation",
            "Warehousing & Distribution Center Operations",
        ],
    ),
]


def pathway_code(cluster_code: str, position: int) -> str:
    return f"{cluster_code}-{position:02d}"
