from datetime import UTC, date, datetime

import time_machine

from students.dates import is_in_future


def test_today_is_allowed_and_tomorrow_is_in_the_future():
    assert not is_in_future(date(2025, 3, 7), today=date(2025, 3, 7))
    assert is_in_future(date(2025, 3, 8), today=date(2025, 3, 7))


def test_today_is_the_districts_date_not_utcs(settings):
    settings.TIME_ZONE = "America/Denver"
    # 03:00 UTC on March 8 is still the evening of March 7 in Denver.
    with time_machine.travel(datetime(2025, 3, 8, 3, 0, tzinfo=UTC), tick=False):
        assert not is_in_future(date(2025, 3, 7))
        assert is_in_future(date(2025, 3, 8))
