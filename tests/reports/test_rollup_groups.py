"""The rollup rebuild's SQL takes its student-group columns from students.models.GAP_GROUPS."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import StudentYear
from reports.selectors import Scope, headline_metrics
from reports.services import rollups_refresh
from students.models import GAP_GROUPS
from tests.factories import CredentialAwardFactory, EnrollmentFactory, school_year

pytestmark = pytest.mark.django_db


def test_the_rebuild_names_the_group_columns_from_gap_groups_and_counts_the_same(monkeypatch):
    year = school_year("2024-25")
    for flags in ({"special_education": True}, {"emergent_bilingual": True}, {"economically_disadvantaged": True}):
        enrollment = EnrollmentFactory(school_year=year, **flags)
        CredentialAwardFactory(student=enrollment.student, earned_on=date(2024, 10, 1))
    EnrollmentFactory(school_year=year)
    rollups_refresh()
    before = headline_metrics(school_years=[year], scope=Scope())[year.pk]["by_group"]

    reordered = list(reversed(GAP_GROUPS))
    monkeypatch.setattr("reports.services.GAP_GROUPS", reordered)
    with CaptureQueriesContext(connection) as captured:
        rollups_refresh()
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("INSERT INTO")]
    student_year = next(sql for sql in inserts if f"INTO {StudentYear._meta.db_table} " in sql)
    assert ", ".join(reordered) in student_year
    assert ", ".join(f"e.{name}" for name in reordered) in student_year
    assert headline_metrics(school_years=[year], scope=Scope())[year.pk]["by_group"] == before
