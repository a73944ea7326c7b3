import io
from datetime import date

from openpyxl import load_workbook

from common.tabular import Sheet, csv_bytes, safe_cell, xlsx_bytes


def test_text_that_looks_like_a_formula_is_made_inert():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Núñez") == "Núñez"
    assert safe_cell(-3) == -3
    assert safe_cell("-1") == "-1"  # a pre-K grade in a rejected-rows file: a number, not a formula
    assert safe_cell("-1+2") == "'-1+2"


def test_csv_starts_with_a_bom_and_keeps_accents_and_leading_zeros():
    data = csv_bytes(["Student ID", "Name"], [["004512", "José Núñez"], ["000001", "=cmd|' /C calc'!A0"]])
    text = data.decode("utf-8")
    assert text.startswith("\ufeffStudent ID,Name")
    assert "004512,José Núñez" in text
    assert "'=cmd" in text


def test_xlsx_has_a_sheet_per_table_with_preface_and_header():
    data = xlsx_bytes(
        [
            Sheet("Headline", ["Metric", "Value"], [["Earners", 12]], preface=["Board packet", "Year 2024-25"]),
            Sheet("By credential: all/any", ["Code", "Students"], [["=1+1", 3], ["OSHA10", 43]]),
        ]
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Headline", "By credential- all-any"]
    headline = workbook["Headline"]
    assert headline["A1"].value == "Board packet"
    assert [c.value for c in headline[4]] == ["Metric", "Value"]
    assert [c.value for c in headline[5]] == ["Earners", 12]
    second = workbook["By credential- all-any"]
    assert second["A2"].value == "'=1+1"
    assert second["A3"].value == "OSHA10"


def test_xlsx_writes_dates_as_dates():
    workbook = load_workbook(io.BytesIO(xlsx_bytes([Sheet("Awards", ["Date"], [[date(2025, 3, 3)]])])))
    assert workbook["Awards"]["A2"].value.date() == date(2025, 3, 3)
