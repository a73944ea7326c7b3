"""Writing the seal: routes refused when wrong, results and certifications, and awarding a seal by a route."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways.models import AssessmentResult, CourseCompletion, SealAward, SealEvidence, SealPathway
from pathways.selectors import seal_facts, seal_route_rules, seal_statuses_for_student
from pathways.services import (
    assessment_result_create,
    seal_award_create,
    seal_evidence_record,
    seal_route_retire,
    seal_route_save,
)
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    CourseCompletionFactory,
    CourseFactory,
    SealPathwayFactory,
    StudentFactory,
    UserFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


def spanish(*numerals):
    return [
        CourseFactory(code=f"SPAN{n}", name=f"Spanish {n}", is_world_language=True, language="Spanish", is_cte=False)
        for n in numerals
    ]


@pytest.fixture
def four_courses():
    courses = spanish("I", "II", "III", "IV")
    route = SealPathwayFactory.build(name="Four units in Spanish", units_required=4)
    ap = AssessmentFactory()
    return seal_route_save(route=route, courses=courses, accepted=[(ap, 3)], changed_by=None), courses, ap


def refusal(route, courses=(), accepted=()) -> dict:
    with pytest.raises(ValidationError) as refused:
        seal_route_save(route=route, courses=list(courses), accepted=list(accepted), changed_by=None)
    return refused.value.message_dict


def test_a_route_with_no_courses_and_no_assessment_is_refused_and_nothing_is_written():
    route = SealPathwayFactory.build(route=SealPathway.Route.HERITAGE)
    assert refusal(route) == {
        "__all__": [
            "A route needs courses with units, an accepted assessment or a portfolio: this one asks for nothing."
        ]
    }
    assert SealPathway.objects.count() == 0


def test_a_course_in_another_language_and_an_english_course_are_refused_on_a_route():
    french = CourseFactory(code="FR1", name="French I", is_world_language=True, language="French")
    english = CourseFactory(code="ENG9", name="English 9")
    esl = CourseFactory(code="ESL1", name="ESL I", is_world_language=True, language="ESL")
    route = SealPathwayFactory.build(units_required=1, accepts_portfolio=True)
    assert refusal(route, [french, english, esl])["courses"] == [
        "FR1 French I is a French course; this route serves Spanish.",
        "ENG9 English 9 is not a course in a language other than English; English and ESL courses never count.",
        "ESL1 ESL I is not a course in a language other than English; English and ESL courses never count.",
    ]


def test_a_minimum_score_outside_the_assessment_scale_is_refused():
    route = SealPathwayFactory.build(route=SealPathway.Route.AP_IB_EXAM)
    assert refusal(route, accepted=[(AssessmentFactory(), 6)])["accepted"] == [
        "Minimum score: AP Spanish Language and Culture scores run from 1 to 5; 6 is outside the scale."
    ]


def test_units_beyond_what_the_courses_hold_and_an_offered_tribal_route_without_its_partner_are_refused():
    assert refusal(SealPathwayFactory.build(units_required=5, accepts_portfolio=True), spanish("I"))[
        "units_required"
    ] == ["The chosen courses hold 1 units; a route cannot ask for 5."]
    tribal = SealPathwayFactory.build(route=SealPathway.Route.TRIBAL_MOU, languages="Navajo")
    assert refusal(tribal)["mou_partner"] == ["Name the tribe or nation the MOU is with before the route is offered."]
    tribal.status = SealPathway.Status.PROPOSED
    assert seal_route_save(route=tribal, courses=[], accepted=[], changed_by=None).pk


def test_the_database_refuses_an_offered_tribal_route_without_a_partner_and_a_grade_off_the_scale():
    with pytest.raises(IntegrityError), transaction.atomic():
        SealPathway.objects.create(code="T", name="T", route="tribal_mou", status="offered", languages="Navajo")
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseCompletionFactory(final_grade="E")


def test_a_route_keeps_its_history_of_changes_with_who_changed_it(four_courses):
    route, courses, ap = four_courses
    user = UserFactory()
    route.units_required = 3
    seal_route_save(route=route, courses=courses[:3], accepted=[(ap, 4)], changed_by=user)
    versions = list(route.history.order_by("history_id"))
    assert (versions[0].units_required, versions[-1].units_required) == (4, 3)
    assert (versions[-1].history_user, versions[-1].courses.count()) == (user, 3)  # the courses as of that version
    assert route.accepted.get().minimum_score == 4
    assert route.accepted.get().history.latest().history_user == user
    seal_route_retire(route=route, changed_by=user)
    assert route.history.latest().status == SealPathway.Status.RETIRED
    assert seal_route_rules(statuses=("offered",)) == []


def test_an_assessment_score_off_its_scale_or_in_the_future_is_refused_and_nothing_written():
    student, ap = StudentFactory(), AssessmentFactory()
    with pytest.raises(ValidationError) as refused:
        assessment_result_create(student=student, assessment=ap, language="Spanish", score=7,
                                 taken_on=date(2025, 5, 1), recorded_by=None)  # fmt: skip
    assert refused.value.message_dict == {
        "score": ["AP Spanish Language and Culture scores run from 1 to 5; 7 is outside the scale."]
    }
    with pytest.raises(ValidationError):
        assessment_result_create(student=student, assessment=ap, language="Spanish", score=3,
                                 taken_on=timezone.localdate() + timedelta(days=1), recorded_by=None)  # fmt: skip
    assert AssessmentResult.objects.count() == 0


def test_a_certification_is_recorded_with_who_and_when_and_counts_for_the_tribal_route():
    coordinator, student = UserFactory(), StudentFactory()
    tribal = SealPathwayFactory(route=SealPathway.Route.TRIBAL_MOU, languages="Navajo", mou_partner="Navajo Nation")
    evidence = seal_evidence_record(student=student, kind=SealEvidence.Kind.TRIBAL_CERTIFICATION, language="Navajo",
                                    approved_on=date(2025, 4, 2), approved_by=coordinator)  # fmt: skip
    assert (evidence.approved_by, evidence.history.get().history_user) == (coordinator, coordinator)
    [status] = seal_statuses_for_student(student=student)
    assert (status.language, status.status, status.route.id) == ("Navajo", "eligible", tribal.pk)


def test_the_facts_of_many_students_load_in_four_queries(django_assert_num_queries, four_courses):
    _, courses, ap = four_courses
    students = StudentFactory.create_batch(5)
    for s in students:
        CourseCompletionFactory(student=s, course=courses[0], final_grade="B")
        AssessmentResultFactory(student=s, assessment=ap)
    with django_assert_num_queries(4):
        facts = seal_facts(student_ids=[s.pk for s in students])
    assert all(len(f.courses) == 1 and len(f.results) == 1 for f in facts.values())


def test_awarding_an_eligible_student_records_the_route_and_who_awarded(four_courses):
    route, courses, ap = four_courses
    student, counselor = StudentFactory(), UserFactory()
    for course in courses:
        CourseCompletionFactory(student=student, course=course, final_grade="B")
    AssessmentResultFactory(student=student, assessment=ap, score=3)
    award = seal_award_create(student=student, language="Spanish", route=route, awarded_on=date(2025, 5, 20),
                              recorded_by=counselor)  # fmt: skip
    assert (award.pathway, award.recorded_by, award.school_year, award.exception_reason) == (
        route,
        counselor,
        school_year("2024-25"),
        "",
    )
    assert award.history.get().history_user == counselor
    [status] = seal_statuses_for_student(student=student)
    assert status.status == "earned"


def test_awarding_a_student_who_does_not_meet_the_route_needs_a_reason_kept_in_the_history(four_courses):
    route, courses, _ = four_courses
    student = StudentFactory()
    CourseCompletionFactory(student=student, course=courses[0], final_grade="D")
    with pytest.raises(ValidationError) as refused:
        seal_award_create(student=student, language="Spanish", route=route, awarded_on=date(2025, 5, 20),
                          recorded_by=None)  # fmt: skip
    assert refused.value.message_dict["reason"][0].startswith(f"{student} does not meet Four units in Spanish")
    assert SealAward.objects.count() == 0
    award = seal_award_create(student=student, language="Spanish", route=route, awarded_on=date(2025, 5, 20),
                              recorded_by=None, reason="Transcript from Mexico reviewed")  # fmt: skip
    assert award.exception_reason == "Transcript from Mexico reviewed"
    assert (
        award.history.get().history_change_reason
        == "Awarded without meeting the route: Transcript from Mexico reviewed"
    )


def test_a_second_seal_in_the_same_language_a_proposed_route_and_another_language_are_refused(four_courses):
    route, _, _ = four_courses
    student = StudentFactory()
    seal_award_create(student=student, language="Spanish", route=route, awarded_on=date(2025, 5, 20),
                      recorded_by=None, reason="district review")  # fmt: skip
    with pytest.raises(ValidationError, match="already has the seal in this language"):
        seal_award_create(student=student, language="spanish", route=route, awarded_on=date(2025, 5, 21),
                          recorded_by=None, reason="again")  # fmt: skip
    with pytest.raises(ValidationError, match="serves Spanish, not French"):
        seal_award_create(student=student, language="French", route=route, awarded_on=date(2025, 5, 21),
                          recorded_by=None, reason="x")  # fmt: skip
    proposed = SealPathwayFactory(status=SealPathway.Status.PROPOSED, accepts_portfolio=True)
    with pytest.raises(ValidationError, match="is proposed, not offered"):
        seal_award_create(student=StudentFactory(), language="Spanish", route=proposed,
                          awarded_on=date(2025, 5, 21), recorded_by=None, reason="x")  # fmt: skip
    assert SealAward.objects.count() == 1


def test_a_course_completion_grade_on_record_decides_the_units(four_courses):
    route, courses, ap = four_courses
    student = StudentFactory()
    for course, grade in zip(courses, ["A", "B", "C", "C-"], strict=True):
        CourseCompletionFactory(student=student, course=course, final_grade=grade)
    AssessmentResultFactory(student=student, assessment=ap, score=5)
    [status] = seal_statuses_for_student(student=student)
    assert status.status == "on_track"
    assert status.progress.missing[0].need == "grade"
    CourseCompletion.objects.filter(student=student, final_grade="C-").update(final_grade="C+")
    assert seal_statuses_for_student(student=student)[0].status == "eligible"
