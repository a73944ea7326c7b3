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
from decimal import Decimal
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
    # Each row's cells' number formats ("#,##0", "0.0%"), parallel to `rows`; None leaves a cell General.
    formats: Sequence[Sequence[str | None]] | None = None


@dataclass(frozen=True)
class Printing:
    """How every sheet of a workbook prints: landscape on Letter paper, one page wide, the header row repeated
    on every page, and a footer (left: `footer`; centre: "Page 3 of 7")."""

    footer: str = ""
    landscape: bool = True


@dataclass(frozen=True)
class Document:
    """The workbook's own properties, as a spreadsheet's File > Properties shows them."""

    title: str = ""
    author: str = ""
    subject: str = ""


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


def xlsx_bytes(sheets: Sequence[Sheet], *, document: Document | None = None, printing: Printing | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    if document:
        workbook.properties.title = document.title or None
        workbook.properties.creator = document.author or None
        workbook.properties.subject = document.subject or None
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        header_row = _write_table(ws, sheet)
        if printing:
            _print_setup(ws, printing, header_row=header_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_RIGHT = Alignment(horizontal="right")


def _write_table(ws, sheet: Sheet) -> int:
    """The preface, the bold header and the rows, formatted; returns the header's row number."""
    for line in sheet.preface:
        ws.append([safe_cell(line)])
    if sheet.preface:
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    header_row = len(sheet.preface) + 2 if sheet.preface else 1  # a blank row between the preface and the table
    for column, heading in enumerate(sheet.header, start=1):
        ws.cell(row=header_row, column=column, value=safe_cell(heading))
    # A long heading wraps rather than widening its column past what its figures need.
    widths = [min(len(str(h)), 18) for h in sheet.header]
    formats = iter(sheet.formats) if sheet.formats is not None else None
    numeric_columns: set[int] = set()
    for row in sheet.rows:
        values = [safe_cell(_plain(v)) for v in row]
        ws.append(values)
        # A cell given a format is a figure (a number, or "<10" in its place): right-aligned like a number.
        for index, number_format in enumerate(next(formats, ()) if formats is not None else (), start=1):
            if number_format:
                cell = ws.cell(row=ws.max_row, column=index)
                cell.number_format = number_format
                cell.alignment = _RIGHT
                numeric_columns.add(index)
        widths = [max(w, len(str(v)) if v is not None else 0) for w, v in zip(widths, values, strict=False)]
    for cell in ws[header_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(
            wrap_text=True, vertical="top", horizontal="right" if cell.column in numeric_columns else "left"
        )
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return header_row


def _print_setup(ws, printing: Printing, *, header_row: int) -> None:
    ws.page_setup.orientation = "landscape" if printing.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = True
    for footer in (ws.oddFooter, ws.evenFooter):
        footer.left.text = printing.footer.replace("&", "&&")
        footer.center.text = "Page &P of &N"


def xlsx_response(
    *, filename: str, sheets: Sequence[Sheet], document: Document | None = None, printing: Printing | None = None
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets, document=document, printing=printing), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)  # a number to the spreadsheet, not text
    if isinstance(value, (str, int, float, date)) or value is None:
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Sheet"
