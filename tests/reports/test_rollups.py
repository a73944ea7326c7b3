"""The pre-aggregated student-year tables must give exactly what counting the source tables gives."""

import io
import random
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Exists, OuterRef, Q

from credentials.models import CredentialAward
from credentials.services import award_create, award_delete
from pathways.selectors import COMPLETER, CONCENTRATOR, PARTICIPANT, students_at_status
from reports.models import StudentYear
from reports.selectors import (
    CONCENTRATORS,
    Scope,
    board_report,
    credential_rows,
    headline_metrics,
    program_rows,
    year_to_date_counts,
)
from reports.services import rollups_drift, rollups_refresh, rollups_update
from students.models import Enrollment
from tests.factories import (
    CourseCompletionFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    ProgramOfStudyFactory,
    SchoolFactory,
    StudentFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def messy_district():
    """Random but seeded: students over three years, changing schools and flags, awards on edge dates."""
    rng = random.Random(7)
    years = [school_year(label) for label in ("2022-23", "2023-24", "2024-25")]
    schools = [SchoolFactory() for _ in range(3)]
    credentials = [CredentialFactory() for _ in range(4)]
    program = ProgramOfStudyFactory(concentrator_threshold=2, completer_threshold=3)
    courses = [ProgramCourseFactory(program=program, position=i).course for i in (1, 2, 3)]
    for _ in range(40):
        student = StudentFactory()
        for year in years:
            if rng.random() < 0.8:
                EnrollmentFactory(
                    student=student,
                    school_year=year,
                    school=rng.choice(schools),
                    grade=rng.randint(8, 12),
                    special_education=rng.random() < 0.3,
                    emergent_bilingual=rng.random() < 0.3,
                    economically_disadvantaged=rng.random() < 0.5,
                )
            if rng.random() < 0.5:
                CourseCompletionFactory(student=student, course=rng.choice(courses), school_year=year)
        for _ in range(rng.randint(0, 4)):
            year = rng.choice(years)
            day = rng.choice([year.start_date, year.end_date, year.start_date + timedelta(days=rng.randint(1, 360))])
            CredentialAward.objects.get_or_create(
                student=student, credential=rng.choice(credentials), earned_on=day, defaults={"school_year": year}
            )
    # Real completers (all three courses passed, over two or three years) and a concentrator who never completes,
    # so the completer comparison below compares counts that are not zero.
    for plan in ((0, 0, 1), (0, 1, 2), (1, 1, 1), (0, 1, 1), (2, 2, 2)):
        student = StudentFactory()
        for year in years:
            EnrollmentFactory(student=student, school_year=year, school=rng.choice(schools), grade=11)
        for course, year_index in zip(courses, plan, strict=True):
            CourseCompletionFactory(student=student, course=course, school_year=years[year_index])
        CredentialAwardFactory(student=student, earned_on=years[plan[-1]].start_date + timedelta(days=100))
    unfinished = StudentFactory()
    EnrollmentFactory(student=unfinished, school_year=years[1], school=schools[0], grade=10)
    for course in courses[:2]:
        CourseCompletionFactory(student=unfinished, course=course, school_year=years[1])
    return years, program, schools


def _live_headline(year, student_filter=None, cutoff=None):
    """Counted straight from enrollments and awards, the way DOMAIN.md words it (awards up to `cutoff`)."""
    enrolled = Enrollment.objects.filter(student_filter or Q(), school_year=year)
    dated = Q(school_year=year) & (Q(earned_on__lte=cutoff) if cutoff else Q())
    earned = CredentialAward.objects.filter(dated, student=OuterRef("student"))
    before = CredentialAward.objects.filter(student=OuterRef("student"), earned_on__lt=year.start_date)
    earners = enrolled.filter(Exists(earned))
    return {
        "enrolled_students": enrolled.count(),
        "discrete_earners": earners.count(),
        "credentials_awarded": CredentialAward.objects.filter(dated, student__in=enrolled.values("student")).count(),
        "first_time_earners": earners.exclude(Exists(before)).count(),
        "special_education_earners": earners.filter(special_education=True).count(),
    }


def test_the_rollups_give_the_same_numbers_as_counting_the_source_tables(messy_district):
    years, program, schools = messy_district
    rollups_refresh()
    numbers = headline_metrics(school_years=years, scope=Scope())
    completers_seen = []
    for year in years:
        live = _live_headline(year)
        mine = numbers[year.pk]
        assert {k: mine[k] for k in live if k in mine} == {k: v for k, v in live.items() if k in mine}
        assert mine["by_group"]["special_education"]["earners"] == live["special_education_earners"]
        concentrators = students_at_status(school_year=year, status=CONCENTRATOR)
        completers = students_at_status(school_year=year, status=COMPLETER)
        enrolled = Enrollment.objects.filter(school_year=year)
        assert mine["concentrators"] == enrolled.filter(student_id__in=concentrators).count()
        assert mine["completers"] == enrolled.filter(student_id__in=completers).count()
        completers_seen.append(mine["completers"])
        rollups_refresh()
        by_credential = {
            r["code"]: (r["students"], r["awards"])
            for r in credential_rows(school_years=[year], scope=Scope())[year.pk]
        }
        live_credentials = {
            r["credential__code"]: (r["students"], r["awards"])
            for r in CredentialAward.objects.filter(school_year=year, student__in=enrolled.values("student"))
            .values("credential__code")
            .annotate(students=Count("student", distinct=True), awards=Count("id"))
        }
        assert by_credential == live_credentials
        participants = students_at_status(school_year=year, status=PARTICIPANT, program=program)
        rollups_refresh()
        [row] = program_rows(school_year=year, scope=Scope(program=program))
        assert row["participants"] == enrolled.filter(student_id__in=participants).count()
        assert row["earners"] == _live_headline(year, Q(student_id__in=participants))["discrete_earners"]
        rollups_refresh()
        scoped = headline_metrics(school_years=[year], scope=Scope(population=CONCENTRATORS))[year.pk]
        assert scoped["enrolled_students"] == enrolled.filter(student_id__in=concentrators).count()
        # Student-level path (a program chosen) and cell path (a school chosen) against the source tables.
        rollups_refresh()
        in_program = headline_metrics(school_years=[year], scope=Scope(program=program))[year.pk]
        live_program = _live_headline(year, Q(student_id__in=participants))
        assert {k: in_program[k] for k in live_program if k in in_program} == {
            k: v for k, v in live_program.items() if k in in_program
        }
        rollups_refresh()
        program_credentials = {
            r["code"]: (r["students"], r["awards"])
            for r in credential_rows(school_years=[year], scope=Scope(program=program))[year.pk]
        }
        live_program_credentials = {
            r["credential__code"]: (r["students"], r["awards"])
            for r in CredentialAward.objects.filter(
                school_year=year, student__in=enrolled.filter(student_id__in=participants).values("student")
            )
            .values("credential__code")
            .annotate(students=Count("student", distinct=True), awards=Count("id"))
        }
        assert program_credentials == live_program_credentials
        in_program_concentrators = students_at_status(school_year=year, status=CONCENTRATOR, program=program)
        rollups_refresh()
        both = headline_metrics(school_years=[year], scope=Scope(program=program, population=CONCENTRATORS))
        assert both[year.pk]["enrolled_students"] == enrolled.filter(student_id__in=in_program_concentrators).count()
        school = schools[0]
        rollups_refresh()
        at_school = headline_metrics(school_years=[year], scope=Scope(school=school))[year.pk]
        live_school = _live_headline(year, Q(school=school))
        assert {k: at_school[k] for k in live_school if k in at_school} == {
            k: v for k, v in live_school.items() if k in at_school
        }
    # The fixture has completers in more than one year (a 0 = 0 comparison would prove nothing).
    assert sum(1 for count in completers_seen if count) >= 2


def test_year_to_date_counts_give_the_same_numbers_as_counting_awards_up_to_the_cut_off(messy_district):
    years, program, schools = messy_district
    rollups_refresh()
    cutoffs = {year: date(year.start_year, 12, 1) for year in years}
    participants = {
        year.pk: students_at_status(school_year=year, status=PARTICIPANT, program=program) for year in years
    }
    scopes = {
        "all": (Scope(), lambda year: None),
        "school": (Scope(school=schools[0]), lambda year: Q(school=schools[0])),
        "program": (Scope(program=program), lambda year: Q(student_id__in=participants[year.pk])),
    }
    compared = 0
    for scope, student_filter in scopes.values():
        rollups_refresh()
        counts = year_to_date_counts(cutoffs=cutoffs, scope=scope)
        for year, cutoff in cutoffs.items():
            live = _live_headline(year, student_filter(year), cutoff)
            mine = counts[year.pk]
            assert {k: mine.get(k, 0) for k in live if k in mine} == {k: v for k, v in live.items() if k in mine}
            assert mine.get("special_education__earners", 0) == live["special_education_earners"]
            enrolled = Enrollment.objects.filter(student_filter(year) or Q(), school_year=year)
            live_credentials = {
                r["credential__code"]: (r["students"], r["awards"])
                for r in CredentialAward.objects.filter(
                    school_year=year, earned_on__lte=cutoff, student__in=enrolled.values("student")
                )
                .values("credential__code")
                .annotate(students=Count("student", distinct=True), awards=Count("id"))
            }
            assert {r["code"]: (r["students"], r["awards"]) for r in mine["by_credential"]} == live_credentials
            compared += live["discrete_earners"]
    # Some of every year's awards fall after Dec 1, so a cut that did nothing would not pass.
    rollups_refresh()
    full = headline_metrics(school_years=years, scope=Scope())
    assert all(counts_all < full[year.pk]["discrete_earners"] for year, counts_all in _earners(cutoffs).items())
    assert compared > 0


def _earners(cutoffs):
    rollups_refresh()
    counts = year_to_date_counts(cutoffs=cutoffs, scope=Scope())
    return {year: counts[year.pk]["discrete_earners"] for year in cutoffs}


def test_awards_recorded_and_deleted_through_the_services_reach_the_dashboard_with_no_rebuild():
    year = school_year("2024-25")
    student = EnrollmentFactory(school_year=year).student
    rollups_refresh()
    assert board_report(school_year=year, baseline=None, scope=Scope())["current"]["discrete_earners"] == 0
    award = award_create(student=student, credential=CredentialFactory(), earned_on=date(2024, 9, 1), recorded_by=None)
    assert board_report(school_year=year, baseline=None, scope=Scope())["current"]["discrete_earners"] == 1
    award_delete(award=award, reason="entered twice", deleted_by=None)
    assert board_report(school_year=year, baseline=None, scope=Scope())["current"]["discrete_earners"] == 0


def test_an_update_for_one_student_rewrites_that_students_rows_and_leaves_the_others_alone():
    year = school_year("2024-25")
    changed, other = EnrollmentFactory(school_year=year), EnrollmentFactory(school_year=year)
    rollups_refresh()
    changed.special_education = other.special_education = True
    changed.save()
    other.save()
    assert rollups_update(student_ids=[changed.student_id]) == 1
    flags = dict(StudentYear.objects.values_list("student_id", "special_education"))
    assert flags == {changed.student_id: True, other.student_id: False}


def test_check_rollups_finds_drift_and_rebuild_rollups_clears_it():
    year = school_year("2024-25")
    CredentialAwardFactory(student=EnrollmentFactory(school_year=year).student, earned_on=date(2024, 9, 1))
    call_command("rebuild_rollups", stdout=io.StringIO())
    out = io.StringIO()
    call_command("check_rollups", stdout=out)
    assert out.getvalue() == "The rollup tables match a fresh rebuild.\n"
    CredentialAward.objects.create(  # a raw write, past the services: drift
        student=StudentYear.objects.get().student,
        credential=CredentialFactory(),
        earned_on=date(2024, 10, 1),
        school_year=year,
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="run `manage.py rebuild_rollups`"):
        call_command("check_rollups", stdout=out)
    assert "StudentYear: 1 rows only in the tables as kept, 1 only in a fresh rebuild" in out.getvalue()
    assert StudentYear.objects.get().awards == 1  # the check's rebuild was rolled back
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups_drift() == {}
