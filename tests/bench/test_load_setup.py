"""The load test's district (bench/load_setup.py): this school year's roster made from the latest year, and
the id sequences moved past rows copied in with their ids."""

import importlib.util
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from students.models import Enrollment, Student
from tests.factories import EnrollmentFactory, SchoolFactory, StudentFactory, school_year

LOAD_SETUP = Path(__file__).resolve().parents[2] / "bench" / "load_setup.py"


@pytest.fixture(scope="module")
def load_setup():
    spec = importlib.util.spec_from_file_location("load_setup", LOAD_SETUP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def december_2026(time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("America/Denver")), tick=False)


@pytest.mark.django_db
def test_this_years_roster_moves_the_latest_years_students_up_and_into_high_school(load_setup, december_2026):
    schools = sorted((SchoolFactory() for _ in range(6)), key=lambda s: s.code)
    high, middle = schools[:2], schools[4]  # a third of the schools, first by code, are high schools
    eighth = EnrollmentFactory(school_year=school_year("2024-25"), school=middle, grade=8, special_education=True)
    sixth = EnrollmentFactory(school_year=school_year("2024-25"), school=middle, grade=6)
    tenth = EnrollmentFactory(school_year=school_year("2024-25"), school=high[1], grade=10)
    EnrollmentFactory(school_year=school_year("2024-25"), school=high[0], grade=11)  # would be in grade 13
    EnrollmentFactory(school_year=school_year("2023-24"), student=sixth.student, school=middle, grade=5)

    assert load_setup.enroll_this_year() == 3

    this_year = Enrollment.objects.filter(school_year__start_year=2026)
    moved = {e.student_id: (e.school_id, e.grade, e.special_education) for e in this_year}
    assert moved == {
        eighth.student_id: (high[eighth.student_id % 2].pk, 10, True),
        sixth.student_id: (middle.pk, 8, False),
        tenth.student_id: (high[1].pk, 12, False),
    }
    assert load_setup.enroll_this_year() == 0  # a roster on record is kept, not made twice


@pytest.mark.django_db
def test_sequences_move_past_ids_copied_in_so_the_next_row_does_not_collide(load_setup):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite gives a new row the largest id + 1 without a sequence; the COPY gap is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Student._meta.db_table} (id, local_id, state_id, first_name, middle_name, last_name, "
            "sex, race_ethnicity, home_language, search_text) "
            "VALUES (5000, 'B5000', '', 'Pat', '', 'S', '', '', '', '')"
        )

    load_setup.advance_sequences()

    assert StudentFactory().pk == 5001
