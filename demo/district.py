"""A believable small New Mexico district for the demo and for trying the app out.

Deterministic (a fixed random seed), so running it again adds nothing: every row is keyed by
a unique constraint and written with ignore_conflicts. The baseline year 2023-24 reproduces the
board report's figures: 43 students earned OSHA-10 and 17 earned CPR/First Aid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role
from accounts.services import staff_set_role
from credentials.models import Credential, CredentialAward
from credentials.services import catalog_load_starter
from pathways.models import (
    Assessment,
    AssessmentResult,
    CareerPathway,
    Course,
    CourseCompletion,
    ProgramCourse,
    ProgramOfStudy,
    SealAward,
    SealPathway,
    SealRouteAssessment,
)
from pathways.services import career_framework_load
from reports.models import Goal, GoalTarget
from reports.selectors import GRADES_9_12, Scope, headline_metrics
from reports.services import rollups_refresh
from students.models import District, Enrollment, School, SchoolYear, Student, school_year_start_for
from students.services import school_year_ensure

BASELINE_START_YEAR = 2023
HISTORY_YEARS = 3  # school years of course history before the baseline
HIGH_SCHOOL_COHORT = 150
DEMO_PASSWORD = "cte-demo-2026"
DEMO_USERS = [
    # username, first, last, role, schools
    ("coordinator", "Elena", "Rivera", Role.COORDINATOR, None),
    ("counselor", "Marcos", "Baca", Role.COUNSELOR, ["SHS"]),
    ("counselor_ms", "Tanya", "Yazzie", Role.COUNSELOR, ["SMS"]),
    ("board", "Joyce", "Garcia", Role.BOARD_VIEWER, None),
]

# code, name, pathway code, [(course code, name, flags)], credentials it prepares for
PROGRAMS = [
    (
        "WELD",
        "Welding",
        "MN-05",
        [
            ("WLD1", "Welding I", {}),
            ("WLD2", "Welding II", {}),
            ("WLD3", "Advanced Welding", {}),
            ("WLD4", "Welding Practicum", {"is_dual_credit": True, "college_credit_hours": Decimal("3")}),
        ],
        ["OSHA10", "AWS-SENSE-1", "NCCER-WELD-1", "NCCER-CORE"],
    ),
    (
        "SPMED",
        "Sports Medicine",
        "HS-05",
        [
            ("SPM1", "Principles of Health Science", {}),
            ("SPM2", "Sports Medicine I", {}),
            ("SPM3", "Sports Medicine II", {}),
            ("SPM4", "Anatomy and Physiology", {}),
        ],
        ["CPR-FA"],
    ),
    (
        "PLANT",
        "Plant Science",
        "AG-06",
        [
            ("AGR1", "Principles of Agriculture", {}),
            ("AGR2", "Horticulture Science", {}),
            ("AGR3", "Plant and Soil Science", {}),
            ("AGR4", "Greenhouse Management", {}),
        ],
        ["PLANT-SCI", "OSHA10"],
    ),
    (
        "PROCOMM",
        "Professional Communications",
        "AR-02",
        [
            ("COM1", "Professional Communications", {}),
            ("COM2", "Digital Media", {}),
            ("COM3", "Broadcast Journalism", {}),
            ("COM4", "Media Production Practicum", {}),
        ],
        ["PRO-COMM"],
    ),
    (
        "CYBER",
        "Cybersecurity",
        "IT-02",
        [
            ("CYB1", "Computer Systems Fundamentals", {}),
            ("CYB2", "Networking Fundamentals", {"is_dual_credit": True, "college_credit_hours": Decimal("3")}),
            ("CYB3", "Cybersecurity Foundations", {"is_dual_credit": True, "college_credit_hours": Decimal("3")}),
            ("CYB4", "Cybersecurity Capstone", {"is_dual_credit": True, "college_credit_hours": Decimal("4")}),
        ],
        ["ISC2-CC"],
    ),
    (
        "HEALTH",
        "Health Sciences",
        "HS-05",
        [
            ("HSC1", "Health Science Theory", {}),
            ("HSC2", "Medical Terminology", {}),
            ("HSC3", "Health Science Clinical", {}),
            ("APCHEM", "AP Chemistry", {"is_ap": True}),
        ],
        ["CPR-FA", "CNA"],
    ),
]

SPANISH = [("SPA1", "Spanish I"), ("SPA2", "Spanish II"), ("SPA3", "Spanish III"), ("SPA4", "Spanish IV")]

# Students earning each credential per school year, from the baseline on (the current year is partial).
AWARD_TARGETS = {
    "OSHA10": [43, 51, 58, 21],
    "CPR-FA": [17, 24, 31, 9],
    "AWS-SENSE-1": [12, 14, 17, 4],
    "NCCER-WELD-1": [8, 11, 13, 3],
    "PLANT-SCI": [6, 10, 12, 2],
    "PRO-COMM": [5, 9, 12, 3],
    "ISC2-CC": [0, 7, 11, 2],
}
CREDENTIAL_PROGRAM = {
    "OSHA10": "WELD",
    "CPR-FA": "SPMED",
    "AWS-SENSE-1": "WELD",
    "NCCER-WELD-1": "WELD",
    "PLANT-SCI": "PLANT",
    "PRO-COMM": "PROCOMM",
    "ISC2-CC": "CYBER",
}

FIRST_NAMES = [
    "Sofía",
    "Mateo",
    "Isabella",
    "Santiago",
    "Valentina",
    "Diego",
    "Camila",
    "Joaquín",
    "Lucía",
    "Adrián",
    "Ximena",
    "Andrés",
    "Renée",
    "José",
    "María",
    "Ángel",
    "Jayden",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Elijah",
    "Mia",
    "Aiden",
    "Harper",
    "Kaylee",
    "Logan",
    "Nizhoni",
    "Ahiga",
    "Shandiin",
    "Dyani",
    "Tahoma",
    "Aylin",
    "Gael",
    "Itzel",
    "Emiliano",
    "Daniela",
    "Nicolás",
    "Paloma",
    "Rubén",
    "Yesenia",
    "Tristan",
    "Brianna",
]
LAST_NAMES = [
    "Núñez",
    "García",
    "Chávez",
    "Martínez",
    "Baca",
    "Ortíz",
    "Peña",
    "Romero",
    "Sánchez",
    "Montoya",
    "Lucero",
    "Gallegos",
    "Trujillo",
    "Padilla",
    "Armijo",
    "Gutiérrez",
    "López",
    "Domínguez",
    "Vigil",
    "Apodaca",
    "Begay",
    "Yazzie",
    "Tso",
    "Benally",
    "Chee",
    "Smith",
    "Johnson",
    "Miller",
    "Anderson",
    "Brown",
    "Davis",
    "Wilson",
    "Tafoya",
    "Jaramillo",
    "Córdova",
    "Archuleta",
    "Sedillo",
    "Zamora",
    "Aragón",
    "Ruíz",
]


@dataclass
class DemoSummary:
    students: int
    enrollments: int
    awards: int
    years: list[str]


def _school_day(rng: random.Random, year: SchoolYear, latest: date) -> date:
    """A weekday inside the instructional part of the year (late August to late May), not after `latest`."""
    first = year.start_date + timedelta(days=50)
    last = min(year.start_date + timedelta(days=330), latest)
    day = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return max(min(day, latest), year.start_date)


@transaction.atomic
def demo_seed() -> DemoSummary:
    rng = random.Random(20240209)  # the board meeting; fixed so every run makes the same rows
    career_framework_load()
    catalog_load_starter()
    today = timezone.localdate()
    latest = today - timedelta(days=1)

    district, _ = District.objects.get_or_create(state_code="059", defaults={"name": "Socorro Public Schools (demo)"})
    high, _ = School.objects.get_or_create(district=district, code="SHS", defaults={"name": "Socorro High School"})
    middle, _ = School.objects.get_or_create(
        district=district, code="SMS", defaults={"name": "Sarracino Middle School"}
    )
    current_start = school_year_start_for(today)
    years = [school_year_ensure(start_year=y) for y in range(BASELINE_START_YEAR, current_start + 1)]

    programs, program_courses = _seed_programs(high)
    spanish = _seed_spanish()
    seal_routes = _seed_seal_pathways(spanish)

    # Cohorts by graduation year: each is enrolled in every demo year in which it is in grades 6-12.
    students: list[Student] = []
    cohort_of: dict[str, int] = {}
    serial = 1000
    first_grad = BASELINE_START_YEAR + 1
    last_grad = current_start + 7
    for grad_year in range(first_grad, last_grad + 1):
        for _ in range(HIGH_SCHOOL_COHORT):
            serial += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            middle_name = rng.choice(["", "", "A.", "Marie", "José", "Lee"])
            local_id = f"{serial:06d}"
            birth = date(grad_year - 18, rng.randint(1, 12), rng.randint(1, 28))
            students.append(
                Student(
                    local_id=local_id,
                    state_id=f"{400000000 + serial * 7:09d}",
                    first_name=first,
                    middle_name=middle_name,
                    last_name=last,
                    birth_date=birth,
                    sex=rng.choice("FM"),
                    race_ethnicity=rng.choices(
                        ["hispanic", "white", "american_indian", "black", "multiracial"], [62, 22, 12, 2, 2]
                    )[0],
                    home_language=rng.choices(["English", "Spanish", "Navajo"], [70, 26, 4])[0],
                    search_text=Student.build_search_text(
                        local_id=local_id, first_name=first, middle_name=middle_name, last_name=last
                    ),
                )
            )
            cohort_of[local_id] = grad_year
    Student.objects.bulk_create(students, ignore_conflicts=True)
    by_id = {s.local_id: s for s in Student.objects.filter(local_id__in=cohort_of).order_by("local_id")}

    # Yearly enrollments with that year's flags: emergent bilingual students are reclassified over time.
    enrollments = []
    traits = {sid: (rng.random() < 0.14, rng.random() < 0.16, rng.random() < 0.68) for sid in by_id}
    hs_students_by_year: dict[int, list[Student]] = {}
    for year in years:
        for sid, student in by_id.items():
            grade = 12 - (cohort_of[sid] - (year.start_year + 1))
            if not 6 <= grade <= 12:
                continue
            sped, eb, frl = traits[sid]
            enrollments.append(
                Enrollment(
                    student=student,
                    school_year=year,
                    school=high if grade >= 9 else middle,
                    grade=grade,
                    special_education=sped,
                    emergent_bilingual=eb and (year.start_year - BASELINE_START_YEAR) < (int(sid) % 4) + 1,
                    economically_disadvantaged=frl if rng.random() > 0.05 else not frl,
                    homeless=rng.random() < 0.02,
                    migrant=rng.random() < 0.01,
                )
            )
            if grade >= 9:
                hs_students_by_year.setdefault(year.start_year, []).append(student)
    Enrollment.objects.bulk_create(enrollments, ignore_conflicts=True)

    # Program participation: about 45% of high-school students follow one program, a course a year.
    program_of: dict[str, ProgramOfStudy] = {}
    for sid in by_id:
        if rng.random() < 0.45:
            program_of[sid] = rng.choices(programs, [22, 14, 12, 12, 14, 16])[0]
    completions = []
    for year in years:
        for student in hs_students_by_year.get(year.start_year, []):
            sid = student.local_id
            grade = 12 - (cohort_of[sid] - (year.start_year + 1))
            if sid in program_of and year.start_date <= today:
                sequence = program_courses[program_of[sid].code]
                step = grade - 9
                if step < len(sequence):
                    course = sequence[step]
                    passed = rng.random() < 0.9
                    completions.append(
                        CourseCompletion(
                            student=student,
                            course=course,
                            school_year=year,
                            passed=passed,
                            final_grade=rng.choice(["A", "B", "B", "C"]) if passed else "F",
                            college_credit_hours=(course.college_credit_hours or 0) if passed else 0,
                        )
                    )
            if student.home_language == "Spanish" or rng.random() < 0.2:
                # Spanish I and II are taught; III and IV start this year (seniors take both).
                step = grade - 9
                steps = [step] if step < 2 else []
                if year.start_year == current_start and step >= 2:
                    steps = [2, 3] if step == 3 else [2]
                for taught in steps:
                    completions.append(
                        CourseCompletion(
                            student=student,
                            course=spanish[taught],
                            school_year=year,
                            passed=True,
                            final_grade=rng.choice(["A", "B", "B", "C", "C-"]),
                        )
                    )
    completions += _course_history(by_id=by_id, cohort_of=cohort_of, program_of=program_of,
                                   program_courses=program_courses)  # fmt: skip
    CourseCompletion.objects.bulk_create(completions, ignore_conflicts=True)

    # Awards: the targets per year, drawn first from the credential's program, then from grades 10-12.
    credentials = {c.code: c for c in Credential.objects.filter(code__in=AWARD_TARGETS)}
    program_by_code = {p.code: p for p in programs}
    awards = []
    for index, year in enumerate(years):
        pool = hs_students_by_year.get(year.start_year, [])
        if year.start_date > latest or not pool:
            continue
        for code, targets in AWARD_TARGETS.items():
            target = targets[min(index, len(targets) - 1)]
            program = program_by_code[CREDENTIAL_PROGRAM[code]]
            in_program = [s for s in pool if program_of.get(s.local_id) == program]
            others = [
                s
                for s in pool
                if program_of.get(s.local_id) != program and 12 - (cohort_of[s.local_id] - (year.start_year + 1)) >= 10
            ]
            chosen = rng.sample(in_program, min(target, len(in_program)))
            chosen += rng.sample(others, target - len(chosen))
            day = _school_day(rng, year, latest)  # one testing session per credential and year...
            for student in chosen:
                # ...and a few make-up dates.
                earned = day if rng.random() < 0.8 else _school_day(rng, year, latest)
                awards.append(
                    CredentialAward(
                        student=student,
                        credential=credentials[code],
                        earned_on=earned,
                        school_year=year,
                        program=program if program_of.get(student.local_id) == program else None,
                        certificate_number=f"{code[:3]}-{year.start_year}-{student.local_id}",
                        source=CredentialAward.Source.MANUAL,
                    )
                )
    CredentialAward.objects.bulk_create(awards, ignore_conflicts=True)

    _seed_seal_results(rng, seal_routes, years, hs_students_by_year, cohort_of, latest)
    _seed_seal_awards(rng, years, hs_students_by_year, cohort_of, latest)
    _seed_users([high, middle])
    _seed_goals(years)
    return DemoSummary(
        students=Student.objects.count(),
        enrollments=Enrollment.objects.count(),
        awards=CredentialAward.objects.count(),
        years=[y.label for y in years],
    )


def _course_history(*, by_id, cohort_of, program_of, program_courses) -> list[CourseCompletion]:
    """The program courses taken in the HISTORY_YEARS school years before the baseline, by the students who were
    in high school then (the baseline's seniors took their first courses three years before it), so concentrator,
    completer and completion figures are whole in every year the dashboard shows. Those years get no enrollment:
    the reports show the years from the baseline on. A random source of its own keeps every later draw as it was."""
    rng = random.Random(20200901)
    history = []
    for start_year in range(BASELINE_START_YEAR - HISTORY_YEARS, BASELINE_START_YEAR):
        year = school_year_ensure(start_year=start_year)
        for sid, student in by_id.items():
            step = 12 - (cohort_of[sid] - (start_year + 1)) - 9
            if sid not in program_of or not 0 <= step < len(program_courses[program_of[sid].code]):
                continue
            course = program_courses[program_of[sid].code][step]
            passed = rng.random() < 0.9
            history.append(
                CourseCompletion(
                    student=student,
                    course=course,
                    school_year=year,
                    passed=passed,
                    final_grade=rng.choice(["A", "B", "B", "C"]) if passed else "F",
                    college_credit_hours=(course.college_credit_hours or 0) if passed else 0,
                )
            )
    return history


def _seed_programs(high: School) -> tuple[list[ProgramOfStudy], dict[str, list[Course]]]:
    programs = []
    sequences: dict[str, list[Course]] = {}
    for code, name, pathway_code, courses, credential_codes in PROGRAMS:
        program, _ = ProgramOfStudy.objects.get_or_create(
            code=code, defaults={"name": name, "pathway": CareerPathway.objects.filter(code=pathway_code).first()}
        )
        program.schools.add(high)
        program.credentials.add(*Credential.objects.filter(code__in=credential_codes))
        sequence = []
        for position, (course_code, course_name, flags) in enumerate(courses, start=1):
            course, _ = Course.objects.get_or_create(
                code=course_code, defaults={"name": course_name, "is_cte": not flags.get("is_ap"), **flags}
            )
            ProgramCourse.objects.get_or_create(program=program, course=course, defaults={"position": position})
            sequence.append(course)
        programs.append(program)
        sequences[code] = sequence
    return programs, sequences


def _seed_spanish() -> list[Course]:
    return [
        Course.objects.get_or_create(
            code=code, defaults={"name": name, "is_world_language": True, "language": "Spanish"}
        )[0]
        for code, name in SPANISH
    ]


def _seed_seal_pathways(spanish: list[Course]) -> dict[str, SealPathway]:
    """The seed's routes: the heritage-speaker route is the one offered today; the four-course Spanish route
    (Spanish III and IV start this year) and a Diné or Keres route under an MOU are proposed."""
    ap, _ = Assessment.objects.get_or_create(
        code="AP-SPAN",
        defaults={
            "name": "AP Spanish Language and Culture",
            "kind": Assessment.Kind.AP,
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    stamp, _ = Assessment.objects.get_or_create(
        code="STAMP-4S",
        defaults={"name": "STAMP 4S", "kind": Assessment.Kind.LEVEL, "scale_min": 1, "scale_max": 8},
    )
    heritage, made = SealPathway.objects.get_or_create(
        code="HERITAGE",
        defaults={
            "name": "Heritage speaker",
            "route": SealPathway.Route.HERITAGE,
            "status": SealPathway.Status.OFFERED,
            "description": "District-approved heritage-speaker route: a proficiency assessment at Intermediate Mid.",
            "languages": "Spanish",
        },
    )
    if made:
        SealRouteAssessment.objects.create(route=heritage, assessment=stamp, minimum_score=5)
    four, made = SealPathway.objects.get_or_create(
        code="FOUR-COURSES",
        defaults={
            "name": "Four units of Spanish",
            "route": SealPathway.Route.FOUR_COURSES,
            "status": SealPathway.Status.PROPOSED,
            "description": "Opens when Spanish III and IV are taught: four units at C or better and an assessment.",
            "units_required": 4,
            "minimum_course_grade": "C",
            "languages": "Spanish",
        },
    )
    if made:
        four.courses.set(spanish)
        SealRouteAssessment.objects.create(route=four, assessment=ap, minimum_score=3)
        SealRouteAssessment.objects.create(route=four, assessment=stamp, minimum_score=5)
    tribal, _ = SealPathway.objects.get_or_create(
        code="TRIBAL-MOU",
        defaults={
            "name": "Diné or Keres (MOU)",
            "route": SealPathway.Route.TRIBAL_MOU,
            "status": SealPathway.Status.PROPOSED,
            "description": "Opens when the district and the tribe sign a memorandum of understanding.",
            "languages": "Navajo, Keres",
        },
    )
    return {"heritage": heritage, "four": four, "tribal": tribal, "ap": ap, "stamp": stamp}


def _seed_seal_results(rng, routes, years, hs_students_by_year, cohort_of, latest) -> None:
    """A handful of AP Spanish and STAMP 4S results: this year's seniors with four units and AP 3 or better
    would be eligible if the four-course route opened; some heritage speakers reached STAMP level 5 (eligible
    today by the heritage route), some level 4 (short of it)."""
    current = years[-1]
    seniors = [
        s for s in hs_students_by_year.get(current.start_year, []) if cohort_of[s.local_id] == current.start_year + 1
    ]
    units = (
        CourseCompletion.objects.filter(course__in=routes["four"].courses.all(), student__in=seniors, passed=True)
        .values("student_id")
        .annotate(n=Count("course", distinct=True))
    )
    spanish_four = {row["student_id"] for row in units if row["n"] == 4}
    last_may = date(current.start_year, 5, 10)
    fall = min(date(current.start_year, 10, 15), latest)
    results = []
    for student in seniors:
        if student.pk in spanish_four and rng.random() < 0.6:
            results.append(AssessmentResult(student=student, assessment=routes["ap"], language="Spanish",
                                            score=rng.choice([2, 3, 3, 4, 5]), taken_on=last_may))  # fmt: skip
        elif student.home_language == "Spanish" and rng.random() < 0.5 and fall >= current.start_date:
            results.append(AssessmentResult(student=student, assessment=routes["stamp"], language="Spanish",
                                            score=rng.choice([4, 5, 5, 6]), taken_on=fall))  # fmt: skip
    AssessmentResult.objects.bulk_create(results, ignore_conflicts=True)


def _seed_seal_awards(rng, years, hs_students_by_year, cohort_of, latest) -> None:
    heritage = SealPathway.objects.get(code="HERITAGE")
    seals = []
    for year in years:
        seniors = [
            s
            for s in hs_students_by_year.get(year.start_year, [])
            if cohort_of[s.local_id] == year.start_year + 1 and s.home_language == "Spanish"
        ]
        awarded_on = min(date(year.start_year + 1, 5, 15), latest)
        if awarded_on < year.start_date:
            continue
        for student in rng.sample(seniors, min(8, len(seniors))):
            seals.append(
                SealAward(
                    student=student, pathway=heritage, language="Spanish", awarded_on=awarded_on, school_year=year
                )
            )
    SealAward.objects.bulk_create(seals, ignore_conflicts=True)


def _seed_users(schools: list[School]) -> None:
    User = get_user_model()
    by_code = {s.code: s for s in schools}
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    for username, first, last, role, school_codes in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        staff_set_role(user=user, role=role, schools=[by_code[c] for c in school_codes or ()])


def _seed_goals(years: list[SchoolYear]) -> None:
    """The strategic plan's kind of goals, measured from the demo's own baseline year."""
    rollups_refresh()  # the demo's rows went in with bulk writes the freshness check cannot see

    baseline, target_year = years[0], school_year_ensure(start_year=BASELINE_START_YEAR + 4)
    goals = [
        ("Students in grades 9-12 earning at least one industry credential", Goal.Metric.DISCRETE_EARNERS, GRADES_9_12),
        ("Industry-based certification rate, grades 9-12", Goal.Metric.EARNER_RATE, GRADES_9_12),
    ]
    for name, metric, population in goals:
        if Goal.objects.filter(name=name).exists():
            continue
        actual = headline_metrics(school_years=[baseline], scope=Scope(population=population))[baseline.pk]
        value = actual[metric.value] or 0
        start = Decimal(str(round(value * 100, 1) if metric == Goal.Metric.EARNER_RATE else value))
        end = min(start * 2, Decimal(100)) if metric == Goal.Metric.EARNER_RATE else start * 2
        goal = Goal.objects.create(
            name=name,
            metric=metric,
            population=population,
            baseline_year=baseline,
            baseline_value=start,
            target_year=target_year,
            target_value=end,
        )
        for step in range(1, 4):
            GoalTarget.objects.create(
                goal=goal,
                school_year=school_year_ensure(start_year=BASELINE_START_YEAR + step),
                value=(start + (end - start) * step / 4).quantize(Decimal("0.1") if goal.is_rate else Decimal("1")),
            )
