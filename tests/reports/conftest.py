"""Fixtures shared by the report tests."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

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

DEC_1_2026 = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("America/Denver"))


@pytest.fixture
def dec_1(time_machine):
    """Today is 1 December 2026: 2026-27 is under way, 2025-26 is the baseline."""
    time_machine.move_to(DEC_1_2026, tick=True)
    return school_year("2025-26"), school_year("2026-27")


@pytest.fixture
def ytd_district(dec_1):
    """12 students enrolled in both years; baseline awards before, on and after Dec 1, current ones up to today.

    Baseline 2025-26: students 0-4 OSHA on Oct 10, 5 CPR on Dec 1 (the cut-off day itself), 6-8 OSHA on Dec 2,
    9 CPR in March, and 0 a second award (CPR) in April. 2026-27: 0 and 1 OSHA in September, 6 CPR on Nov 30,
    10 (at another school, first award ever) OSHA on Dec 1. Students 0, 6 and 9 are in special education.
    """
    baseline, year = dec_1
    north, south = SchoolFactory(code="N", name="North High"), SchoolFactory(code="S", name="South High")
    osha, cpr = CredentialFactory(code="OSHA10", name="OSHA 10-Hour"), CredentialFactory(code="CPR", name="CPR")
    program = ProgramOfStudyFactory(code="WELD")
    course = ProgramCourseFactory(program=program, position=1).course
    students = []
    for i in range(12):
        student = StudentFactory()
        flags = {"special_education": i in (0, 6, 9)}
        EnrollmentFactory(student=student, school_year=baseline, school=north, grade=10, **flags)
        EnrollmentFactory(student=student, school_year=year, school=south if i >= 10 else north, grade=11, **flags)
        students.append(student)
    for i in range(7):
        CourseCompletionFactory(student=students[i], course=course, school_year=baseline)
    CourseCompletionFactory(student=students[0], course=course, school_year=year)
    for i in range(5):
        CredentialAwardFactory(student=students[i], credential=osha, earned_on=date(2025, 10, 10))
    CredentialAwardFactory(student=students[5], credential=cpr, earned_on=date(2025, 12, 1))
    for i in (6, 7, 8):
        CredentialAwardFactory(student=students[i], credential=osha, earned_on=date(2025, 12, 2))
    CredentialAwardFactory(student=students[9], credential=cpr, earned_on=date(2026, 3, 3))
    CredentialAwardFactory(student=students[0], credential=cpr, earned_on=date(2026, 4, 1))
    for i in (0, 1):
        CredentialAwardFactory(student=students[i], credential=osha, earned_on=date(2026, 9, 5))
    CredentialAwardFactory(student=students[6], credential=cpr, earned_on=date(2026, 11, 30))
    CredentialAwardFactory(student=students[10], credential=osha, earned_on=date(2026, 12, 1))
    return baseline, year, program
