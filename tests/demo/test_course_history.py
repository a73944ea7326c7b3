"""The demo's course history starts three school years before its baseline, so the baseline year's seniors have
taken their whole sequence and the completion figures are real from the first year the dashboard shows."""

import pytest
from django.core.management import call_command

from demo.district import BASELINE_START_YEAR, HISTORY_YEARS
from pathways.models import CourseCompletion
from reports.selectors import Scope, headline_metrics, school_years_on_record
from students.models import Enrollment

pytestmark = pytest.mark.django_db


def test_the_demo_has_course_history_before_its_baseline_and_completers_in_every_year_shown():
    call_command("seed_demo")
    history = CourseCompletion.objects.filter(school_year__start_year__lt=BASELINE_START_YEAR)
    assert set(history.values_list("school_year__start_year", flat=True)) == set(
        range(BASELINE_START_YEAR - HISTORY_YEARS, BASELINE_START_YEAR)
    )
    assert not Enrollment.objects.filter(school_year__start_year__lt=BASELINE_START_YEAR).exists()
    years = school_years_on_record()
    assert years[0].start_year == BASELINE_START_YEAR  # the reports still start at the baseline
    metrics = headline_metrics(school_years=years, scope=Scope())
    for year in years:
        assert metrics[year.pk]["completers"] > 0, year
        assert 0 < metrics[year.pk]["completion_rate"] < 1, year
