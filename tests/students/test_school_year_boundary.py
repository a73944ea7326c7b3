"""Which students a counselor sees on the last and the first day of a school year.

A counselor sees the students enrolled *this* school year at their schools, so the list changes
overnight when a school year ends. These tests set the clock with time-machine's `time_machine`
fixture: `time_machine.move_to(datetime(..., tzinfo=DENVER), tick=False)` freezes "now" for everything
(`timezone.now()`, `timezone.localdate()`, `date.today()`), inside the test only. Give the time in the
district's time zone: 23:30 on June 30 in Denver is already July 1 in UTC, and must still be June 30.
"""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from students.selectors import current_school_year, students_visible_to
from tests.factories import EnrollmentFactory, SchoolFactory, school_year, user_with_role

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
NAMES = ("Leaving", "Arriving", "Staying", "Transfer")


@pytest.fixture
def two_years(fast_passwords):
    """North High's counselor; four students enrolled in 2024-25, 2025-26 or both."""
    north, south = SchoolFactory(name="North High"), SchoolFactory(name="South High")
    old, new = school_year("2024-25"), school_year("2025-26")

    def student(last_name, *enrollments):
        first = EnrollmentFactory(school=enrollments[0][0], school_year=enrollments[0][1], grade=enrollments[0][2],
                                  student__last_name=last_name, student__first_name="Sam")  # fmt: skip
        for school, year, grade in enrollments[1:]:
            EnrollmentFactory(student=first.student, school=school, school_year=year, grade=grade)
        return first.student

    return SimpleNamespace(
        old=old,
        new=new,
        counselor=user_with_role(Role.COUNSELOR, schools=[north], username="north_counselor"),
        students={
            "Leaving": student("Leaving", (north, old, 12)),  # graduated in June
            "Arriving": student("Arriving", (north, new, 9)),  # starts in July
            "Staying": student("Staying", (north, old, 10), (north, new, 11)),
            "Transfer": student("Transfer", (north, old, 10), (south, new, 11)),  # moves to South High
        },
    )


def seen_by_selector(user) -> set[str]:
    return set(students_visible_to(user=user).values_list("last_name", flat=True))


def seen_on_pages(client, w) -> dict[str, set[str]]:
    """The students each counselor page shows (or opens) at the time the clock is set to."""
    listed = client.get(reverse("students:list")).content.decode()
    home = client.get(reverse("home")).content.decode()
    found = client.get(reverse("students:search"), {"q": "Sam"}).content.decode()
    opened = {
        name for name, s in w.students.items() if client.get(reverse("students:detail", args=[s.pk])).status_code == 200
    }
    return {
        "list": {name for name in NAMES if name in listed},
        "home": {name for name in NAMES if name in home},
        "search": {name for name in NAMES if name in found},
        "record": opened,
    }


LAST_DAY = {"Leaving", "Staying", "Transfer"}
FIRST_DAY = {"Arriving", "Staying"}


@pytest.mark.parametrize(
    ("local_time", "year", "expected"),
    [
        (datetime(2025, 6, 30, 8, 0), "2024-25", LAST_DAY),
        (datetime(2025, 6, 30, 23, 30), "2024-25", LAST_DAY),  # 05:30 on July 1 in UTC
        (datetime(2025, 7, 1, 0, 0), "2025-26", FIRST_DAY),
        (datetime(2025, 7, 1, 8, 0), "2025-26", FIRST_DAY),
    ],
    ids=["june-30-morning", "june-30-23h30-denver", "july-1-midnight", "july-1-morning"],
)
def test_a_counselor_sees_the_school_years_own_students_on_its_last_and_first_day(
    client, two_years, time_machine, local_time, year, expected
):
    time_machine.move_to(local_time.replace(tzinfo=DENVER), tick=False)
    assert current_school_year().label == year
    assert seen_by_selector(two_years.counselor) == expected
    client.force_login(two_years.counselor)
    pages = seen_on_pages(client, two_years)
    assert pages == {"list": expected, "home": expected, "search": expected, "record": expected}


def test_with_a_school_year_starting_august_1_july_31_is_still_the_old_years_last_day(
    client, settings, fast_passwords, time_machine
):
    settings.SCHOOL_YEAR_START = (8, 1)
    north = SchoolFactory(name="North High")
    counselor = user_with_role(Role.COUNSELOR, schools=[north], username="north_counselor")
    old, new = school_year("2024-25"), school_year("2025-26")
    assert (old.end_date.isoformat(), new.start_date.isoformat()) == ("2025-07-31", "2025-08-01")
    EnrollmentFactory(school=north, school_year=old, grade=12, student__last_name="Leaving")
    EnrollmentFactory(school=north, school_year=new, grade=9, student__last_name="Arriving")

    time_machine.move_to(datetime(2025, 7, 31, 23, 30, tzinfo=DENVER), tick=False)
    assert seen_by_selector(counselor) == {"Leaving"}
    time_machine.move_to(datetime(2025, 8, 1, 0, 30, tzinfo=DENVER), tick=False)
    assert seen_by_selector(counselor) == {"Arriving"}
    client.force_login(counselor)
    listed = client.get(reverse("students:list")).content.decode()
    assert "Arriving" in listed and "Leaving" not in listed


def test_the_selector_and_the_pages_agree_on_this_year_after_the_start_day_setting_changed(
    client, settings, fast_passwords, time_machine
):
    # The years were recorded while they started on July 1; the district then moved the start to August 1.
    north = SchoolFactory(name="North High")
    counselor = user_with_role(Role.COUNSELOR, schools=[north], username="north_counselor")
    EnrollmentFactory(school=north, school_year=school_year("2024-25"), grade=12, student__last_name="Leaving")
    EnrollmentFactory(school=north, school_year=school_year("2025-26"), grade=9, student__last_name="Arriving")
    settings.SCHOOL_YEAR_START = (8, 1)

    time_machine.move_to(datetime(2025, 7, 15, 9, 0, tzinfo=DENVER), tick=False)
    assert current_school_year().label == "2024-25"
    assert seen_by_selector(counselor) == {"Leaving"}
    client.force_login(counselor)
    assert "Leaving" in client.get(reverse("students:list")).content.decode()
