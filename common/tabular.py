"""Tables out of the app as CSV or XLSX: one row generator, two renderers, safe against formula injection.

Every export (the board packet, the student list, rejected import rows) goes through here, so a cell
that starts with `=`, `+`, `-`, `@` or a control character is always written as text, never run by
the spreadsheet that opens it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """The value, with text that a spreadsheet would read as a formula made inert by a leading quote. A plain
    negative number ("-1", a pre-K grade) is a number to a spreadsheet, not a formula, and stays as it is, so
    a file downloaded to be fixed and re-uploaded keeps its values."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    # Lines above the table (title, filters, when it was made), one cell each.
    preface: Sequence[str] = field(default_factory=list)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(_plain(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        for line in sheet.preface:
            ws.append([safe_cell(line)])
        if sheet.preface:
            ws.cell(row=1, column=1).font = Font(bold=True, size=14)
            ws.append([])
        header_row = ws.max_row + 1 if sheet.preface else 1
        ws.append([safe_cell(h) for h in sheet.header])
        for cell in ws[header_row]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [len(str(h)) for h in sheet.header]
        for row in sheet.rows:
            values = [safe_cell(_plain(v)) for v in row]
            ws.append(values)
            widths = [max(w, len(str(v)) if v is not None else 0) for w, v in zip(widths, values, strict=False)]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (str, int, float, date)) or value is None:
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Sheet"
