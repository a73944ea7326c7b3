"""The shape importers share: columns declared once, limits read from the model, history written by name."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

from imports import importers
from imports.bulk import insert_history, insert_rows, new_ids
from imports.columns import TextColumn, YesNoColumn, parse_yes_no
from imports.importers import COLUMNS, IMPORTERS, CatalogImporter, column_label
from imports.readers import read_table
from students.models import Student
from tests.factories import SchoolFactory
from tests.imports.helpers import csv_file, errors, plan

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


def test_every_kind_lists_the_columns_its_importer_declares():
    assert {kind: importer.columns for kind, importer in IMPORTERS.items()} == COLUMNS
    assert column_label("credentials", "certificate_number") == "Certificate number"


def test_a_name_longer_than_the_model_field_allows_is_refused_with_the_fields_own_limit(monkeypatch):
    SchoolFactory(code="SHS")
    monkeypatch.setattr(Student._meta.get_field("first_name"), "max_length", 5)
    result = plan("students", csv_file([ROSTER, ["1", "Annabel", "Baca", "9", "SHS"]]), school_year="2024-25")
    assert errors(result) == [(2, "first_name", "longer than 5 characters")]


def test_a_column_added_to_an_import_is_one_declaration_found_by_its_alias_and_read_by_its_kind():
    class WithOpenBadge(CatalogImporter):
        columns = (*CatalogImporter.columns, YesNoColumn("open_badge", "Open badge", "Badge", required=True))

    def check(rows):
        return WithOpenBadge(table=read_table(data=csv_file(rows), filename="f.csv")).validate()

    header = ["Code", "Name", "Issuer"]
    assert errors(check([header, ["A1", "Alpha", "Org"]])) == [(0, "", "Missing required column(s): Open badge.")]
    assert errors(check([[*header, "Badge"], ["A1", "Alpha", "Org", "maybe"]])) == [
        (2, "open_badge", "'maybe' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)")
    ]


def test_every_yes_no_column_reads_the_one_yes_no_vocabulary():
    flags = [c for columns in COLUMNS.values() for c in columns if isinstance(c, YesNoColumn)]
    assert {c.name for c in flags} == {
        "special_education",
        "emergent_bilingual",
        "economically_disadvantaged",
        "state_recognized",
        "passed",
    }
    for text in ["Y", "yes", "1", "TRUE", "x", "N", "no", "0", "false", ""]:
        assert {c.clean(text, None) for c in flags} == {parse_yes_no(text)}


def test_text_columns_take_their_limits_from_the_model_field():
    texts = [c for columns in COLUMNS.values() for c in columns if isinstance(c, TextColumn)]
    assert texts and all(c.model is not None for c in texts)


def test_the_importers_hold_no_assert_that_python_dash_o_would_drop():
    package = Path(importers.__file__).parent
    modules = [*package.glob("*.py"), package.parent / "bulk.py", package.parent / "columns.py"]
    asserts = [
        f"{path.name}:{node.lineno}"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert asserts == []


class ShuffledStudent(NamedTuple):
    """A student's fields in an order unlike the table's and its history's."""

    search_text: str
    last_name: str
    birth_date: date
    local_id: str
    first_name: str


def test_history_rows_are_filled_by_field_name_whatever_order_the_rows_give_them():
    rows = [ShuffledStudent("baca ana 7", "Baca", date(2010, 3, 7), "7", "Ana")]
    pks = new_ids(model=Student, count=1)
    insert_rows(model=Student, rows=rows, pks=pks)
    if pks is None:  # SQLite: the keys are read back
        pks = [Student.objects.get(local_id="7").pk]
    when = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    insert_history(model=Student, rows=rows, pks=pks, history_type="+", when=when, user_id=None, reason="test")
    student = Student.objects.get(local_id="7")
    record = student.history.get()
    assert (record.id, record.local_id, record.first_name, record.last_name, record.birth_date) == (
        student.pk,
        "7",
        "Ana",
        "Baca",
        date(2010, 3, 7),
    )
    assert (record.middle_name, record.sex, record.history_type, record.history_change_reason) == ("", "", "+", "test")
    assert record.history_date == when
