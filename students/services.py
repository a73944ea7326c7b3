"""Writes about students' reference data: recording a school year where one may begin."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from students.models import SchoolYear, school_year_start_for


@transaction.atomic
def school_year_ensure(*, start_year: int) -> SchoolYear:
    """The school year starting in `start_year`, recorded the first time it is needed (an import, the demo,
    an award or a course in it). Its label and dates follow from SCHOOL_YEAR_START (SchoolYear.by_rule);
    two callers at once get the same row (get_or_create re-reads after losing the insert race)."""
    rule = SchoolYear.by_rule(start_year)
    year, _ = SchoolYear.objects.get_or_create(
        start_year=start_year,
        defaults={"label": rule.label, "start_date": rule.start_date, "end_date": rule.end_date},
    )
    return year


def school_year_for_date_ensure(*, day: date) -> SchoolYear:
    """The school year containing `day`, recorded the first time it is needed (see school_year_ensure)."""
    return school_year_ensure(start_year=school_year_start_for(day))
