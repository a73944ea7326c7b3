"""Turn an uploaded CSV or XLSX into a header and rows of plain text, or a clear file-level error.

Every cell comes out as a stripped string: IDs stay text ("004512"), whole numbers that Excel stored
as floats lose their ".0", real Excel dates become ISO dates, and formulas are kept as their text
(never evaluated). Spreadsheet row numbers are kept so every message points at the row a person sees.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings

# An honest 100,000-row roster is ~15 MB uncompressed; these limits leave room and stop zip bombs.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_UNCOMPRESSED = 500 * 1024 * 1024
XLSX_MAX_RATIO = 200

# A formula element, with or without a namespace prefix: <f>, <f t="shared" .../>, <x:f>.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
# An error cell: <c r="B2" t="e"><v>#VALUE!</v></c>.
_ERROR_CELL = re.compile(rb"""\st\s*=\s*["']e["']""")
# A custom number format of zeros only ("000000"): Excel shows 1001 as 001001, an ID, not a number.
_ZERO_PADDED_FORMAT = re.compile(rb"""formatCode\s*=\s*["']0+["']""")
_ALL_ZEROS = re.compile(r"0+")


def _needs_openpyxl(xml: bytes) -> bool:
    # The plain `in` tests skip the slower patterns for the usual 15 MB of cells that need neither.
    return (
        _FORMULA.search(xml) is not None
        or ((b'"e"' in xml or b"'e'" in xml) and _ERROR_CELL.search(xml) is not None)
        or (b"formatCode" in xml and _ZERO_PADDED_FORMAT.search(xml) is not None)
    )


# A well-formed UTF-8 sequence for a character past ASCII; Windows-1252 text almost never holds one.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

DAMAGED_XLSX = "The .xlsx file is damaged and cannot be read; open it in Excel, save it again and upload the new copy."


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is meant for the person who uploaded it."""


@dataclass
class Table:
    header: list[str]
    # (spreadsheet row number, cells) for every non-blank data row, in file order.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)


def check_size(size: int) -> None:
    """ImportFileError when a file of `size` bytes is over IMPORT_MAX_BYTES."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            f"The file is {size / 1048576:.1f} MB; the limit is {settings.IMPORT_MAX_BYTES / 1048576:.0f} MB."
        )


def read_table(*, data: bytes, filename: str, sheet: str = "") -> Table:
    """Read the file's first sheet (or `sheet`); ImportFileError when it is not a usable spreadsheet."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data, sheet)
        _refuse_nul(table)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE compound file: an old .xls, or an .xlsx Excel encrypted with a password, which it
        # wraps in one with an "EncryptedPackage" stream (names are UTF-16 in the directory).
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportFileError(
                "The workbook is password-protected: open it in Excel, save it without a password and upload that."
            )
        raise ImportFileError("This is an old Excel .xls file: save it as .xlsx or CSV and upload that.")
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError("The file is named like an Excel workbook but is not one.")
    else:
        table = _read_csv(data)
    if not any(table.header):
        raise ImportFileError("The first row is blank: it must hold the column names.")
    if not table.rows:
        raise ImportFileError("The file has column names but no rows under them.")
    return table


def _refuse_nul(table: Table) -> None:
    """Refuse a NUL character anywhere, naming its row and column.

    PostgreSQL cannot store NUL in text: left in, the row would pass every check and then stop the
    import's write. CSV text can hold one; so can an XLSX cell written as _x0000_.
    """
    for number, cells in itertools.chain([(1, table.header)], table.rows):
        if "\x00" in "".join(cells):
            column = next(i for i, cell in enumerate(cells) if "\x00" in cell)
            name = table.header[column] if column < len(table.header) and number != 1 else ""
            where = f"the {name} column" if name else f"column {column + 1}"
            raise ImportFileError(
                f"Row {number} contains a NUL character (an invisible control code) in {where}; "
                "remove it and upload the file again."
            )


def _looks_binary(sample: bytes) -> bool:
    """A picture or a program, not text: NUL and other control bytes that text files do not hold."""
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in b"\t\n\r\f")
    return b"\x00" in sample and controls > max(2, len(sample) // 100)


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-16 with its byte-order mark, else UTF-8, else (no UTF-8 in it) Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" and some exports: UTF-16 with a byte-order mark, NUL in every other byte.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(
                "The file starts like UTF-16 text but cannot be read as UTF-16; "
                "save it as CSV UTF-8 and upload it again."
            ) from None
    if _looks_binary(data[:4096]):
        raise ImportFileError("This is not a spreadsheet: save it as CSV or XLSX.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            # Mostly UTF-8 with a few bytes pasted in from elsewhere: read as Windows-1252, every
            # accent the rest of the file holds would turn to "Ã©" and overwrite good names.
            raise ImportFileError(
                f"Row {_line_number(data, exc.start)} is not UTF-8 while the rest of the file is; "
                "save the file as CSV UTF-8 and upload it again."
            ) from None
        # Excel on Windows saves "CSV" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def _line_number(data: bytes, offset: int) -> int:
    """The line holding byte `offset`: files from old Macs end their lines with CR alone."""
    before = data[:offset]
    return before.count(b"\n") + 1 if b"\n" in data else before.count(b"\r") + 1


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    check_nul = "\x00" in text
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as exc:
        raise ImportFileError(f"This is not a readable CSV file ({exc}).") from None
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            stripped = [c.strip() for c in cells]
            if any(stripped):
                rows.append((number, stripped))
    except csv.Error as exc:
        raise ImportFileError(f"Row {reader.line_num} cannot be read as CSV ({exc}).") from None
    table = Table(header=header, rows=rows)
    if check_nul:
        _refuse_nul(table)
    return table


def check_xlsx_archive(data: bytes) -> bool:
    """Refuse zip bombs and damaged archives before any parser sees the file.

    True when the workbook needs openpyxl rather than the faster calamine: a worksheet holds
    formulas (calamine reads their cached results; we import the formula text) or error cells
    (calamine reads #VALUE! as blank), or a number format pads numbers with zeros (calamine gives no
    cell formats, so ID 1001 shown as 001001 would come in as "1001"). Every part is searched, not
    only those named like worksheets, and formulas under any namespace prefix (<x:f>): a sheet can
    live at any name its workbook points to. A chart's series references (<c:f>) match too; such a
    workbook is read more slowly, never wrongly.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("This is not a readable XLSX file.") from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportFileError(f"The workbook has {len(members)} parts; the limit is {XLSX_MAX_MEMBERS}.")
    declared = sum(m.file_size for m in members)
    compressed = max(sum(m.compress_size for m in members), 1)
    if declared > XLSX_MAX_UNCOMPRESSED or declared / compressed > XLSX_MAX_RATIO:
        raise ImportFileError("The workbook expands to far more data than a spreadsheet holds; it was not opened.")
    if "xl/workbook.xml" not in archive.namelist():
        raise ImportFileError("This is a zip file, not an XLSX workbook.")
    needs_openpyxl = False
    seen = 0
    for member in members:
        # Every part is read to its end: that checks its CRC (a damaged file fails here, with a plain
        # message, not halfway through the rows) and counts what really comes out (declared sizes can lie).
        try:
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    seen += len(chunk)
                    if seen > XLSX_MAX_UNCOMPRESSED:
                        raise ImportFileError(
                            "The workbook expands to far more data than a spreadsheet holds; it was not opened."
                        )
                    window = tail + chunk
                    if not needs_openpyxl and _needs_openpyxl(window):
                        needs_openpyxl = True
                    tail = window[-64:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            raise ImportFileError(DAMAGED_XLSX) from None
    return needs_openpyxl


def _read_xlsx(data: bytes, sheet: str) -> Table:
    if check_xlsx_archive(data):
        return _read_xlsx_openpyxl(data, sheet)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises its own error types for every kind of damage
        raise ImportFileError("This is not a readable XLSX file.") from None
    names = workbook.sheet_names
    if sheet and sheet not in names:
        raise ImportFileError(f"The workbook has no sheet named '{sheet}' (it has: {', '.join(names)}).")
    try:
        worksheet = workbook.get_sheet_by_name(sheet or names[0])
        header, rows = _sheet_rows(iter(worksheet.iter_rows()), cell_text)
    except ImportFileError:
        raise
    except Exception:  # damage calamine only finds while reading the sheet
        raise ImportFileError(DAMAGED_XLSX) from None
    return Table(header=header, rows=rows, sheet_names=names)


def _sheet_rows(rows_iter, text) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first row as the header, then (row number as Excel shows it, cell texts) for each non-blank row."""
    try:
        header = [text(c) for c in next(rows_iter)]
    except StopIteration:
        raise ImportFileError("The first sheet is empty.") from None
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        texts = [text(c) for c in cells]
        if any(texts):
            rows.append((number, texts))
    return header, rows


def _read_xlsx_openpyxl(data: bytes, sheet: str) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise ImportFileError("This is not a readable XLSX file.") from None
    try:
        names = workbook.sheetnames
        if sheet and sheet not in names:
            raise ImportFileError(f"The workbook has no sheet named '{sheet}' (it has: {', '.join(names)}).")
        # Read-only sheets are parsed lazily, as the rows are taken: damage shows up only here.
        header, rows = _sheet_rows(workbook[sheet or names[0]].iter_rows(), _openpyxl_text)
    except ImportFileError:
        raise
    except Exception:  # zlib, zipfile and XML parser errors from a damaged worksheet
        raise ImportFileError(DAMAGED_XLSX) from None
    finally:
        workbook.close()
    return Table(header=header, rows=rows, sheet_names=names)


def _whole(value: int | float) -> bool:
    return isinstance(value, int) or value.is_integer()


def _openpyxl_text(cell) -> str:
    value = cell.value
    if cell.data_type == "f" and not isinstance(value, str):
        value = _formula_text(value)
    return cell_text(value, getattr(cell, "number_format", None) or "")


def _formula_text(formula) -> str:
    """An array formula ({=SUM(A1:A3*B1:B3)}) or a data table as its text, like any other formula."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if isinstance(formula, ArrayFormula):
        return formula.text or ""
    if isinstance(formula, DataTableFormula):  # a what-if table: Excel shows {=TABLE(r1,r2)}
        return f"=TABLE({formula.r1 or ''},{formula.r2 or ''})"
    return str(formula)


def cell_text(value, number_format: str = "") -> str:
    """One cell as text: 4512.0 -> '4512', a date -> '2025-03-03', None -> ''.

    A whole number under a format of zeros only keeps the zeros Excel shows: 1001 under "000000"
    is '001001', the ID the person sees, not a second student '1001'.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if _ALL_ZEROS.fullmatch(number_format) and isinstance(value, (int, float)) and _whole(value) and value >= 0:
        return str(int(value)).zfill(len(number_format))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value).strip()
