"""In-memory spreadsheets for import tests."""

from __future__ import annotations

import io
import struct
import zipfile

from openpyxl import Workbook

from imports.models import ImportBatch
from imports.services import batch_create, batch_run, plan_file


def csv_file(
    rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False, newline: str = "\n"
) -> bytes:
    text = newline.join(delimiter.join(str(c) for c in row) for row in rows) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_file(rows: list[list], *, sheet: str = "Sheet1", number_formats: dict[int, str] | None = None) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for column, fmt in (number_formats or {}).items():
        for cells in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cells[0].number_format = fmt
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(
    kind: str, data: bytes, *, filename: str = "file.csv", skip_invalid: bool = False, user=None, **options
) -> ImportBatch:
    batch = batch_create(kind=kind, data=data, filename=filename, user=user, options=options)
    return batch_run(batch=batch, skip_invalid=skip_invalid)


def plan(kind: str, data: bytes, *, filename: str = "file.csv", **options):
    return plan_file(kind=kind, data=data, filename=filename, options=options)


def errors(batch_or_plan) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in batch_or_plan.errors]


def damaged_xlsx(rows: list[list], *, stored: bool = False) -> bytes:
    """A workbook whose first worksheet has one byte flipped inside its (compressed or stored) data."""
    data = xlsx_file(rows)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
    damaged = bytearray(buffer.getvalue())
    member = zipfile.ZipFile(io.BytesIO(bytes(damaged))).getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack("<HH", damaged[member.header_offset + 26 : member.header_offset + 30])
    start = member.header_offset + 30 + name_length + extra_length
    damaged[start + member.compress_size // 2] ^= 0xFF
    return bytes(damaged)
