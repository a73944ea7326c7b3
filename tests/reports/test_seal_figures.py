"""The board's seal numbers: earners by route and language, eligible not yet awarded, on track by grade, and the
what-if of a proposed route, from the per-student-year seal statuses; under the same small-cell suppression;
never among the credential earners; in the JSON as the interface says."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from pathways.models import SealEvidence, SealPathway
from pathways.seal import what_if_gain
from pathways.selectors import seal_facts, seal_route_rules
from pathways.services import assessment_result_create, seal_route_save
from reports.models import StudentYearSeal
from reports.selectors import Scope, board_report
from reports.services import rollups_drift
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    CourseCompletionFactory,
    CourseFactory,
    EnrollmentFactory,
    SchoolFactory,
    SealAwardFactory,
    SealPathwayFactory,
    rollups_rebuilt_after,
    school_year,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal_district():
    """2024-25 at BIG (grade 12: 12 earners, 15 eligible by the heritage route's AP 3, 20 on track with Spanish
    I; 11 with a portfolio only and 5 with Spanish I and a portfolio) and ALT (3 earners, grade 11); a proposed
    one-course route that takes a portfolio."""
    year = school_year("2024-25")
    big, alt = SchoolFactory(code="BIG"), SchoolFactory(code="ALT")
    ap = AssessmentFactory()
    span1 = CourseFactory(code="SPAN1", name="Spanish I", is_world_language=True, language="Spanish")
    span2 = CourseFactory(code="SPAN2", name="Spanish II", is_world_language=True, language="Spanish")
    heritage = seal_route_save(
        route=SealPathwayFactory.build(name="Heritage speaker", route=SealPathway.Route.HERITAGE),
        courses=[], accepted=[(ap, 3)], changed_by=None,
    )  # fmt: skip
    seal_route_save(
        route=SealPathwayFactory.build(name="Two units in Spanish", units_required=2),
        courses=[span1, span2], accepted=[(ap, 3)], changed_by=None,
    )  # fmt: skip
    seal_route_save(
        route=SealPathwayFactory.build(name="One course and a portfolio", units_required=1, accepts_portfolio=True,
                                       status=SealPathway.Status.PROPOSED),
        courses=[span1], accepted=[], changed_by=None,
    )  # fmt: skip
    coordinator = user_with_role(Role.COORDINATOR)
    with rollups_rebuilt_after():

        def student(school, grade=12):
            return EnrollmentFactory(school_year=year, school=school, grade=grade).student

        for _ in range(12):
            s = student(big)
            AssessmentResultFactory(student=s, assessment=ap, score=4, taken_on=date(2025, 3, 1))
            SealAwardFactory(student=s, pathway=heritage, awarded_on=date(2025, 5, 1))
        for _ in range(3):
            SealAwardFactory(student=student(alt, grade=11), pathway=heritage, awarded_on=date(2025, 5, 2))
        for _ in range(15):
            AssessmentResultFactory(student=student(big), assessment=ap, score=3, taken_on=date(2025, 3, 1))
        for _ in range(20):
            CourseCompletionFactory(student=student(big), course=span1, school_year=year, final_grade="B")
        for n in range(16):
            s = student(big)
            SealEvidence.objects.create(student=s, kind="portfolio", language="Spanish", approved_on=date(2025, 4, 1),
                                        approved_by=coordinator)  # fmt: skip
            if n >= 11:
                CourseCompletionFactory(student=s, course=span1, school_year=year, final_grade="A")
    return year


def test_seal_figures_count_earners_eligible_and_on_track_by_language_route_and_grade(seal_district):
    current = board_report(school_year=seal_district, baseline=None, scope=Scope())["current"]
    assert (current["seal_earners"], current["seal_eligible"], current["seal_on_track"]) == (15, 15, 25)
    assert current["seal_by_language"] == {"Spanish": {"earners": 15, "eligible": 15, "on_track": 25}}
    assert current["seal_by_route"] == {"Heritage speaker": {"earners": 15}}
    assert (current["by_grade"]["12"]["seal_on_track"], current["by_grade"]["11"]["seal_on_track"]) == (25, 0)
    assert current["by_grade"]["12"]["seal_eligible"] == 15
    # A seal is not a credential: none of these students is a credential earner.
    assert current["discrete_earners"] == 0 and current["credentials_awarded"] == 0


def test_the_what_if_counts_the_students_a_proposed_route_adds_by_the_same_rules(seal_district):
    current = board_report(school_year=seal_district, baseline=None, scope=Scope())["current"]
    # The 11 with a portfolio only are on no route today and on track if it opened; the 5 with Spanish I and a
    # portfolio, on track today, would be eligible.
    assert current["seal_what_if"] == {"One course and a portfolio": {"eligible": 5, "on_track": 11}}
    routes = seal_route_rules()
    proposed = next(r for r in routes if r.status == "proposed")
    facts = seal_facts(student_ids=StudentYearSeal.objects.values_list("student_id", flat=True).distinct())
    gain = what_if_gain(facts.values(), routes, proposed)
    assert (len(gain.eligible), len(gain.on_track)) == (5, 11)
    seniors = board_report(school_year=seal_district, baseline=None, scope=Scope(population="grade_12"))
    assert seniors["current"]["seal_what_if"]["One course and a portfolio"] == {"eligible": 5, "on_track": 11}


def test_a_board_viewer_gets_the_seal_json_as_the_interface_says_with_small_cells_suppressed(client, seal_district):
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    district = client.get(reverse("api_board"), {"year": "2024-25"}).json()
    assert district["seal"] == {
        "earners": 15,
        "eligible": 15,
        "on_track": 25,
        "by_language": {"Spanish": {"earners": 15, "eligible": 15, "on_track": 25}},
        "by_route": {"Heritage speaker": {"earners": 15}},
        "what_if": [{"route": "One course and a portfolio", "eligible": "<10", "on_track": 11}],
    }
    # ALT's 3 earners are small; BIG's 12 would give them away against the district's 15.
    alt = client.get(reverse("api_board"), {"year": "2024-25", "school": "ALT"}).json()["seal"]
    big = client.get(reverse("api_board"), {"year": "2024-25", "school": "BIG"}).json()["seal"]
    assert (alt["earners"], big["earners"]) == ("<10", "*")
    assert big["by_language"]["Spanish"]["earners"] == "*" and big["by_route"]["Heritage speaker"]["earners"] == "*"
    page = client.get(reverse("reports:dashboard"), {"year": "2024-25", "school": "BIG"})
    seal_table = page.context["tables"]["seal"]
    assert seal_table.rows[0][1] == "*"


def test_board_report_json_gains_the_seal_block(seal_district, capsys):
    import json

    from django.core.management import call_command

    call_command("board_report", "--year", "2024-25", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["seal"]["earners"] == 15
    assert report["seal"]["what_if"] == [{"route": "One course and a portfolio", "eligible": 5, "on_track": 11}]


def test_recording_an_assessment_keeps_the_seal_statuses_equal_to_a_rebuild(seal_district):
    student = EnrollmentFactory(school_year=seal_district, school=SchoolFactory(code="NEW"), grade=12).student
    before = StudentYearSeal.objects.count()
    assessment_result_create(student=student, assessment=AssessmentFactory(), language="Spanish", score=5,
                             taken_on=date(2025, 4, 4), recorded_by=None)  # fmt: skip
    assert StudentYearSeal.objects.count() == before + 1
    assert StudentYearSeal.objects.get(student=student).status == "eligible"
    assert rollups_drift() == {}


def test_opening_the_proposed_route_moves_its_students_into_todays_figures(seal_district):
    route = SealPathway.objects.get(status=SealPathway.Status.PROPOSED)
    route.status = SealPathway.Status.OFFERED
    seal_route_save(route=route, courses=list(route.courses.all()), accepted=[], changed_by=None)
    current = board_report(school_year=seal_district, baseline=None, scope=Scope())["current"]
    # 15 by the heritage route and the 5 the what-if said; on track: 25 - 5 + 11.
    assert (current["seal_eligible"], current["seal_on_track"], current["seal_what_if"]) == (20, 31, {})


def test_a_language_typed_in_another_case_is_stored_and_counted_as_the_district_writes_it(seal_district):
    student = EnrollmentFactory(school_year=seal_district, school=SchoolFactory(code="NEW"), grade=12).student
    result = assessment_result_create(student=student, assessment=AssessmentFactory(), language=" spanish ",
                                      score=5, taken_on=date(2025, 4, 4), recorded_by=None)  # fmt: skip
    assert result.language == "Spanish"
    current = board_report(school_year=seal_district, baseline=None, scope=Scope())["current"]
    assert list(current["seal_by_language"]) == ["Spanish"]
    assert current["seal_by_language"]["Spanish"]["eligible"] == 16
