import pytest
from django.apps import apps
from django.core.management import call_command

from credentials.models import Credential, CredentialAlias, CredentialAward
from pathways.models import CareerCluster, CareerPathway

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_load_reference_loads_16_clusters_and_79_pathways():
    call_command("load_reference")
    assert CareerCluster.objects.count() == 16
    assert CareerPathway.objects.count() == 79


@pytest.mark.parametrize(
    "alias",
    [
        "OSHA-10",
        "CPR/First Aid",
        "AWS SENSE",
        "NCCER Welding",
        "Plant Science",
        "Pro Communications",
        "Certified in Cybersecurity",
        "ServSafe",
        "Revit",
        "EMT",
        "EPA",
        "TDLR",
        "Medical Assistant",
        "Vet Tech",
        "Floral",
        "EKG",
        "Phlebotomy",
        "Pharmacy Technician",
        "Educational Aide",
        "VITA",
        "Real Estate",
        "Electrical Apprentice",
        "SolidWorks",
        "ASE",
    ],
)
def test_starter_catalog_holds_every_credential_the_district_names(alias):
    call_command("load_reference")
    assert CredentialAlias.objects.filter(alias__iexact=alias).exists()


def test_starter_catalog_names_issuers_and_clusters():
    call_command("load_reference")
    osha = Credential.objects.get(code="OSHA10")
    assert osha.issuer and osha.cluster.code == "MN"
    assert not osha.counts_for_perkins  # OSHA-10 is not a recognized postsecondary credential for 5S1
    assert Credential.objects.filter(issuer="CompTIA").count() >= 2


def test_load_reference_twice_changes_nothing():
    call_command("load_reference")
    before = _row_counts()
    call_command("load_reference")
    assert _row_counts() == before


def test_load_reference_keeps_a_districts_edits():
    call_command("load_reference")
    Credential.objects.filter(code="OSHA10").update(name="OSHA 10 (district name)")
    call_command("load_reference")
    assert Credential.objects.get(code="OSHA10").name == "OSHA 10 (district name)"


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    before = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == before


def test_seed_demo_reproduces_the_baseline_board_figures():
    call_command("seed_demo")
    baseline = CredentialAward.objects.filter(school_year__label="2023-24")
    assert baseline.filter(credential__code="OSHA10").values("student").distinct().count() == 43
    assert baseline.filter(credential__code="CPR-FA").values("student").distinct().count() == 17
    later = CredentialAward.objects.filter(school_year__label="2025-26")
    assert later.values("student").distinct().count() > baseline.values("student").distinct().count()


def test_seed_demo_sets_goals_from_its_own_baseline_year():
    from reports.models import Goal

    call_command("seed_demo")
    goal = Goal.objects.get(metric=Goal.Metric.DISCRETE_EARNERS)
    earners = (
        CredentialAward.objects.filter(
            school_year__label="2023-24",
            student__enrollments__school_year__label="2023-24",
            student__enrollments__grade__gte=9,
        )
        .values("student")
        .distinct()
        .count()
    )
    assert (goal.baseline_year.label, goal.baseline_value, goal.target_year.label) == ("2023-24", earners, "2027-28")
    assert goal.interim_targets.count() == 3


def test_seed_demo_tells_the_seals_story():
    from django.utils import timezone

    from pathways.models import SealAward, SealPathway
    from reports.selectors import Scope, board_report
    from students.models import SchoolYear

    call_command("seed_demo")
    statuses = dict(SealPathway.objects.values_list("code", "status"))
    assert statuses == {"HERITAGE": "offered", "FOUR-COURSES": "proposed", "TRIBAL-MOU": "proposed"}
    # Heritage-route earners in the baseline year, so the what-if has a real "before".
    assert SealAward.objects.filter(school_year__label="2023-24", pathway__code="HERITAGE").count() > 0
    # A seal is never recorded as a credential.
    assert not CredentialAward.objects.filter(credential__kind=Credential.Kind.STATE_SEAL).exists()
    year = SchoolYear.objects.for_date(timezone.localdate())
    current = board_report(school_year=year, baseline=None, scope=Scope())["current"]
    assert current["seal_eligible"] > 0
    four = current["seal_what_if"]["Four units of Spanish"]
    assert four["eligible"] > 0 and four["on_track"] > 0
