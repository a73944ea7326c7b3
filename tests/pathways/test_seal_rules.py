"""The seal rules on hand-built students: every route kind, failed, repeated and low-graded courses, an English
course that must not count, two languages for one student, and the what-if."""

from decimal import Decimal

from pathways.seal import (
    EARNED,
    ELIGIBLE,
    NEEDS_ASSESSMENT,
    NEEDS_CERTIFICATION,
    NEEDS_GRADE,
    NEEDS_UNIT,
    NOT_ON_ROUTE,
    ON_TRACK,
    PORTFOLIO,
    TRIBAL_CERTIFICATION,
    CourseTaken,
    RouteRule,
    ScoreOnRecord,
    SealFacts,
    language_status,
    route_progress,
    routes_in_force,
    seal_statuses,
    what_if_gain,
)

AP_SPANISH, STAMP = 1, 2
SPANISH = {10 + n: f"Spanish {numeral}" for n, numeral in enumerate(["I", "II", "III", "IV"], start=1)}
ENGLISH_9, ESL_1, NAVAJO_1 = 30, 31, 40

FOUR_COURSES = RouteRule(
    id=1,
    name="Four units in Spanish",
    kind="four_courses",
    status="offered",
    languages=("Spanish",),
    course_ids=frozenset(SPANISH) | {ENGLISH_9, ESL_1},  # listed by mistake: English and ESL never count
    units_required=4,
    minimum_grade="C",
    accepts_portfolio=True,
    accepted=((AP_SPANISH, "AP Spanish Language", 3), (STAMP, "STAMP 4S", 5)),
)
HERITAGE = RouteRule(
    id=2, name="Heritage speaker", kind="heritage", status="offered", languages=("Spanish",),
    accepted=((STAMP, "STAMP 4S", 5),),
)  # fmt: skip
TRIBAL = RouteRule(
    id=3, name="Navajo (MOU)", kind="tribal_mou", status="offered", languages=("Navajo",), needs_certification=True
)
AP_EXAM = RouteRule(
    id=4, name="AP exam", kind="ap_ib_exam", status="offered", languages=("Spanish", "French"),
    accepted=((AP_SPANISH, "AP Spanish Language", 3),),
)  # fmt: skip


def course(course_id, grade="B", *, passed=True, year=2023, language="Spanish", counts=True, credits=1):
    name = SPANISH.get(course_id, {ENGLISH_9: "English 9", ESL_1: "ESL I", NAVAJO_1: "Navajo I"}.get(course_id))
    return CourseTaken(course_id, name, language, counts, Decimal(credits), passed, grade, year)


def student(*courses, results=(), evidence=(), awards=None, pk=1):
    return SealFacts(
        student_id=pk, courses=list(courses), results=list(results), evidence=set(evidence), awards=awards or {}
    )


def ap(score, language="Spanish"):
    return ScoreOnRecord(AP_SPANISH, "AP Spanish Language", language, score)


def test_three_of_four_units_reads_as_the_issue_words_it():
    facts = student(course(11), course(12, "A-"), course(13, "C"))
    status = language_status(facts, [FOUR_COURSES], "Spanish")
    assert status.status == ON_TRACK
    assert status.describe() == (
        "Spanish: on track by Four units in Spanish, 3 of 4 units at C or better (Spanish I, Spanish II, "
        "Spanish III); missing: 1 unit and an assessment or an approved portfolio"
    )


def test_four_units_and_an_ap_3_make_a_student_eligible():
    facts = student(course(11), course(12), course(13), course(14, "C+"), results=[ap(3)])
    status = language_status(facts, [FOUR_COURSES], "Spanish")
    assert (status.status, status.route) == (ELIGIBLE, FOUR_COURSES)
    assert status.progress.assessment == "AP Spanish Language 3"


def test_an_ap_2_is_below_the_route_minimum():
    facts = student(course(11), course(12), course(13), course(14), results=[ap(2)])
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert [m.need for m in progress.missing] == [NEEDS_ASSESSMENT]


def test_an_approved_portfolio_stands_in_for_the_assessment_where_the_route_accepts_one():
    facts = student(course(11), course(12), course(13), course(14), evidence=[(PORTFOLIO, "spanish")])
    assert language_status(facts, [FOUR_COURSES], "Spanish").status == ELIGIBLE
    assert language_status(facts, [HERITAGE], "Spanish").status == NOT_ON_ROUTE


def test_a_failed_course_does_not_count():
    facts = student(course(11), course(12), course(13), course(14, "F", passed=False), results=[ap(4)])
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert progress.units_done == 3
    assert progress.missing == [type(progress.missing[0])(NEEDS_UNIT, Decimal(1))]


def test_a_repeated_course_counts_once_by_its_best_attempt():
    facts = student(
        course(11, "D", year=2022), course(11, "B", year=2023), course(12), course(12, "A", year=2024), results=[ap(5)]
    )
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert progress.units_done == 2
    assert progress.counted == ["Spanish I", "Spanish II"]
    assert progress.below_grade == []


def test_a_passed_course_below_c_does_not_count_and_the_missing_unit_is_that_grade():
    facts = student(course(11), course(12), course(13), course(14, "C-"), results=[ap(3)])
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert progress.units_done == 3
    assert [(m.need, m.courses) for m in progress.missing] == [(NEEDS_GRADE, ("Spanish IV",))]
    assert progress.one_step_away.need == NEEDS_GRADE
    assert "missing: 1 unit (C or better in Spanish IV)" in progress.summary()


def test_a_passed_course_without_a_grade_counts_only_where_the_route_allows_it():
    facts = student(course(11, ""), course(12), course(13), course(14), results=[ap(3)])
    assert route_progress(facts, FOUR_COURSES, "Spanish").units_done == 3
    lenient = RouteRule(**{**FOUR_COURSES.__dict__, "counts_passed_without_grade": True})
    assert route_progress(facts, lenient, "Spanish").met


def test_english_and_esl_courses_never_count_even_when_a_route_lists_them():
    facts = student(
        course(11), course(12), course(13),
        course(ENGLISH_9, "A", language="English", counts=False), course(ESL_1, "A", language="Spanish", counts=False),
        results=[ap(4)],
    )  # fmt: skip
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert progress.units_done == 3 and not progress.met
    assert "English" not in facts.languages()


def test_a_course_in_another_language_does_not_count_for_spanish():
    facts = student(course(11), course(12), course(13), course(14, language="French"), results=[ap(3)])
    assert route_progress(facts, FOUR_COURSES, "Spanish").units_done == 3


def test_the_heritage_route_needs_only_its_assessment():
    on_record = student(results=[ScoreOnRecord(STAMP, "STAMP 4S", "Spanish", 5)])
    assert language_status(on_record, [HERITAGE, FOUR_COURSES], "Spanish").route == HERITAGE
    assert language_status(on_record, [HERITAGE], "Spanish").status == ELIGIBLE
    low = student(results=[ScoreOnRecord(STAMP, "STAMP 4S", "Spanish", 4)])
    assert language_status(low, [HERITAGE], "Spanish").status == NOT_ON_ROUTE


def test_the_tribal_route_needs_the_certification_in_its_language():
    certified = student(evidence=[(TRIBAL_CERTIFICATION, "navajo")])
    assert language_status(certified, [TRIBAL], "Navajo").status == ELIGIBLE
    elsewhere = student(course(NAVAJO_1, language="Navajo"))
    progress = route_progress(elsewhere, TRIBAL, "Navajo")
    assert [m.need for m in progress.missing] == [NEEDS_CERTIFICATION]
    assert language_status(elsewhere, [TRIBAL], "Navajo").status == NOT_ON_ROUTE  # nothing the route asks is done


def test_the_ap_exam_route_serves_each_of_its_languages_apart():
    facts = student(results=[ap(3, "French")])
    assert language_status(facts, [AP_EXAM], "French").status == ELIGIBLE
    assert language_status(facts, [AP_EXAM], "Spanish").status == NOT_ON_ROUTE


def test_two_languages_for_one_student_are_evaluated_apart():
    facts = student(
        course(11), course(12),
        course(NAVAJO_1, language="Navajo"),
        evidence=[(TRIBAL_CERTIFICATION, "navajo")],
        awards={"french": ("French", 4, "AP exam")},
    )  # fmt: skip
    statuses = {s.language: s for s in seal_statuses(facts, [FOUR_COURSES, HERITAGE, TRIBAL])}
    assert {k: s.status for k, s in statuses.items()} == {"French": EARNED, "Navajo": ELIGIBLE, "Spanish": ON_TRACK}
    assert statuses["French"].route.name == "AP exam"


def test_a_language_with_courses_but_no_route_is_not_on_a_route():
    facts = student(course(11, language="Keres"))
    assert [(s.language, s.status) for s in seal_statuses(facts, [FOUR_COURSES])] == [("Keres", NOT_ON_ROUTE)]


def test_an_award_makes_the_language_earned_whatever_else_is_on_record():
    facts = student(course(11), awards={"spanish": ("Spanish", 2, "Heritage speaker")})
    status = language_status(facts, [FOUR_COURSES], "Spanish")
    assert (status.status, status.route.name) == (EARNED, "Heritage speaker")


def test_two_courses_below_the_grade_are_not_one_step_away():
    facts = student(course(11), course(12), course(13, "D"), course(14, "D+"), results=[ap(3)])
    progress = route_progress(facts, FOUR_COURSES, "Spanish")
    assert [(m.need, m.units) for m in progress.missing] == [(NEEDS_GRADE, Decimal(2))]
    assert progress.one_step_away is None


def test_one_more_unit_is_one_step_away_and_two_are_not():
    three = route_progress(student(course(11), course(12), course(13), results=[ap(3)]), FOUR_COURSES, "Spanish")
    assert three.one_step_away.need == NEEDS_UNIT
    two = route_progress(student(course(11), course(12), results=[ap(3)]), FOUR_COURSES, "Spanish")
    assert two.one_step_away is None


def test_what_if_counts_only_the_students_a_proposed_route_moves_up():
    proposed = RouteRule(**{**FOUR_COURSES.__dict__, "id": 9, "status": "proposed"})
    today = [HERITAGE, proposed]
    assert routes_in_force(today) == [HERITAGE]
    four_and_ap = student(course(11), course(12), course(13), course(14), results=[ap(3)], pk=1)
    three = student(course(11), course(12), course(13), pk=2)
    heritage_eligible = student(course(11), results=[ScoreOnRecord(STAMP, "STAMP 4S", "Spanish", 6)], pk=3)
    nothing = student(pk=4)
    gain = what_if_gain([four_and_ap, three, heritage_eligible, nothing], today, proposed)
    assert gain.eligible == {1}
    assert gain.on_track == {2}
