"""The dashboard benchmark loads its district with COPY: what it leaves behind must still take writes."""

import pytest
from django.db import connection

from students.models import District, School

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_dashboard writes with PostgreSQL's COPY"),
]


def test_rows_copied_with_their_own_keys_leave_the_sequence_past_them():
    from reports.management.commands.bench_dashboard import _copy

    district = District.objects.create(name="Bench", state_code="B01")
    copied = [(n, district.pk, f"C{n}", f"Copied {n}", True) for n in (5001, 5002)]
    assert _copy(School, ["id", "district_id", "code", "name", "active"], copied) == 2
    written = School.objects.create(district=district, code="NEW", name="Written after")
    assert written.pk > 5002
