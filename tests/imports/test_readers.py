import io
import zipfile

import pytest

from imports.readers import ImportFileError, read_table
from tests.imports.helpers import csv_file, damaged_xlsx, xlsx_file

HEADER = ["student_id", "first_name", "last_name"]


def test_a_utf8_file_with_a_bom_reads_its_first_header_without_the_bom():
    table = read_table(data=csv_file([HEADER, ["004512", "José", "Núñez"]], bom=True), filename="a.csv")
    assert table.header[0] == "student_id"
    assert table.rows == [(2, ["004512", "José", "Núñez"])]


def test_a_windows_1252_file_keeps_its_accents():
    data = csv_file([HEADER, ["1", "José", "Núñez"]], encoding="cp1252")
    assert read_table(data=data, filename="a.csv").rows[0][1][1:] == ["José", "Núñez"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_comma_semicolon_and_tab_separated_files_are_all_recognised(delimiter):
    table = read_table(data=csv_file([HEADER, ["1", "Ana", "Baca"]], delimiter=delimiter), filename="a.csv")
    assert table.header == HEADER
    assert table.rows[0][1] == ["1", "Ana", "Baca"]


def test_crlf_line_endings_read_like_lf():
    table = read_table(data=csv_file([HEADER, ["1", "Ana", "Baca"]], newline="\r\n"), filename="a.csv")
    assert table.rows == [(2, ["1", "Ana", "Baca"])]


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet():
    data = csv_file([HEADER, ["1", "Ana", "Baca"], ["", "", ""], ["2", "Luis", "Chavez"]])
    assert [n for n, _ in read_table(data=data, filename="a.csv").rows] == [2, 4]


def test_xlsx_whole_numbers_lose_the_float_but_text_ids_keep_leading_zeros():
    data = xlsx_file([HEADER + ["grade"], ["004512", "Ana", "Baca", 11], [4513, "Luis", "Chavez", 9.0]])
    rows = read_table(data=data, filename="a.xlsx").rows
    assert rows[0][1] == ["004512", "Ana", "Baca", "11"]
    assert rows[1][1] == ["4513", "Luis", "Chavez", "9"]


def test_xlsx_real_dates_come_out_as_iso_dates():
    from datetime import date

    data = xlsx_file([["student_id", "earned_on"], ["1", date(2025, 3, 3)]])
    assert read_table(data=data, filename="a.xlsx").rows[0][1] == ["1", "2025-03-03"]


def test_a_named_sheet_is_read_and_an_unknown_one_is_a_clear_error():
    data = xlsx_file([HEADER, ["1", "Ana", "Baca"]], sheet="Roster")
    assert read_table(data=data, filename="a.xlsx", sheet="Roster").rows[0][1][0] == "1"
    with pytest.raises(ImportFileError, match="no sheet named 'Other'"):
        read_table(data=data, filename="a.xlsx", sheet="Other")


def test_formula_cells_are_imported_as_their_text_never_evaluated():
    data = xlsx_file([HEADER, ["1", "=1+1", '=HYPERLINK("http://x","y")']])
    assert read_table(data=data, filename="a.xlsx").rows[0][1] == ["1", "=1+1", '=HYPERLINK("http://x","y")']


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError, match="empty"):
        read_table(data=b"  \n", filename="a.csv")


def test_a_file_with_headers_only_is_refused():
    with pytest.raises(ImportFileError, match="no rows under them"):
        read_table(data=csv_file([HEADER]), filename="a.csv")


def test_a_binary_file_is_not_a_spreadsheet():
    with pytest.raises(ImportFileError, match="not a spreadsheet"):
        read_table(data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, filename="photo.csv")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    with pytest.raises(ImportFileError, match="not one"):
        read_table(data=b"student_id\n1\n", filename="a.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="not an XLSX workbook"):
        read_table(data=buffer.getvalue(), filename="a.xlsx")


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(ImportFileError, match="expands to far more data"):
        read_table(data=data, filename="bomb.xlsx")


def test_a_workbook_with_thousands_of_parts_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1001):
            archive.writestr(f"xl/media/{n}.bin", "x")
    with pytest.raises(ImportFileError, match="parts; the limit is 1000"):
        read_table(data=buffer.getvalue(), filename="many.xlsx")


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ImportFileError, match="the limit is"):
        read_table(data=csv_file([HEADER] + [["1", "Ana", "Baca"]] * 200), filename="a.csv")


@pytest.mark.parametrize("stored", [False, True], ids=["deflated", "stored"])
@pytest.mark.parametrize("formula", [False, True], ids=["values", "formulas"])
def test_a_damaged_xlsx_is_a_plain_file_error_not_a_zip_error(stored, formula):
    rows = [HEADER] + [[f"{n:06d}", "=1+1" if formula else "Ana", "Baca"] for n in range(300)]
    with pytest.raises(ImportFileError, match=r"The \.xlsx file is damaged"):
        read_table(data=damaged_xlsx(rows, stored=stored), filename="a.xlsx")


def test_a_worksheet_whose_xml_breaks_off_midway_is_a_plain_file_error():
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([HEADER, ["1", "=1+1", "Baca"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            part = source.read(name)
            archive.writestr(name, part[: part.index(b"</f>")] if name.endswith("sheet1.xml") else part)
    with pytest.raises(ImportFileError, match=r"The \.xlsx file is damaged"):
        read_table(data=buffer.getvalue(), filename="a.xlsx")


ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]
GOOD_ROWS = [[f"{n:06d}", "Ana", "Baca", "9", "SHS"] for n in range(200)]


def test_a_nul_character_past_the_first_4_kb_is_refused_naming_its_row_and_column():
    data = csv_file([ROSTER, *GOOD_ROWS]) + b"004999,An\x00n,Lee,9,SHS\n"
    assert len(data) > 4096
    with pytest.raises(ImportFileError, match=r"^Row 202 contains a NUL character .* in the first_name column"):
        read_table(data=data, filename="a.csv")


def test_a_nul_character_in_an_otherwise_text_file_is_a_row_error_not_a_binary_file():
    data = csv_file([ROSTER, ["004999", "Ana", "Baca", "9", "SHS\x00"], *GOOD_ROWS])
    with pytest.raises(ImportFileError, match=r"^Row 2 contains a NUL character .* in the school column"):
        read_table(data=data, filename="a.csv")


def test_a_nul_character_in_an_xlsx_cell_is_refused_naming_its_row_and_column():
    data = xlsx_file([ROSTER, *GOOD_ROWS, ["004999", "Ana", "Lee_x0000_", "9", "SHS"]])
    with pytest.raises(ImportFileError, match=r"^Row 202 contains a NUL character .* in the last_name column"):
        read_table(data=data, filename="a.xlsx")


@pytest.mark.parametrize("formula", [False, True], ids=["values", "formulas"])
def test_xlsx_numbers_under_a_zero_padded_format_keep_the_zeros_excel_shows(formula):
    rows = [["student_id", "grade", "note"], [1001, 9, "=1+1" if formula else "x"], [42.0, 10.5, "y"]]
    data = xlsx_file(rows, number_formats={1: "000000", 2: "0.00"})
    assert read_table(data=data, filename="a.xlsx").rows == [
        (2, ["001001", "9", "=1+1" if formula else "x"]),
        (3, ["000042", "10.5", "y"]),
    ]


def test_a_zero_padded_xlsx_id_updates_the_student_instead_of_adding_a_second_one(db):
    from students.models import Student
    from tests.factories import SchoolFactory, StudentFactory
    from tests.imports.helpers import run

    SchoolFactory(code="SHS")
    StudentFactory(local_id="001001", first_name="Ana")
    data = xlsx_file([ROSTER, [1001, "Anna", "Baca", 9, "SHS"]], number_formats={1: "000000"})
    batch = run("students", data, filename="roster.xlsx", school_year="2024-25")
    assert batch.message == "Imported."
    assert list(Student.objects.values_list("local_id", "first_name")) == [("001001", "Anna")]


def test_a_utf8_file_with_one_stray_windows_1252_byte_is_refused_naming_its_row():
    good = csv_file([HEADER, ["1", "Andrés", "Núñez"], ["2", "Luis", "Chavez"], ["3", "Eva", "Ruiz"]])
    data = good + b"4,Ana\x96Maria,Baca\n" + csv_file([["5", "José", "Peña"]])
    with pytest.raises(
        ImportFileError, match=r"^Row 5 is not UTF-8 while the rest of the file is; save the file as CSV UTF-8"
    ):
        read_table(data=data, filename="a.csv")


def test_a_windows_1252_file_with_dashes_and_curly_quotes_still_reads_as_windows_1252():
    data = csv_file([HEADER, ["1", "Ana–María", "O’Brien"], ["2", "José", "Núñez"]], encoding="cp1252")
    assert read_table(data=data, filename="a.csv").rows == [
        (2, ["1", "Ana–María", "O’Brien"]),
        (3, ["2", "José", "Núñez"]),
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_csv_with_a_byte_order_mark_is_read(encoding):
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    data = bom + "student_id\tfirst_name\tlast_name\r\n004512\tJosé\tNúñez\r\n".encode(encoding)
    table = read_table(data=data, filename="a.csv")
    assert table.header == HEADER
    assert table.rows == [(2, ["004512", "José", "Núñez"])]


def _ole_file(*stream_names: str) -> bytes:
    """The start of an OLE compound file: its signature, then a directory naming its streams."""
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64 for name in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory


def test_a_password_protected_xlsx_is_called_password_protected_not_an_old_xls():
    data = _ole_file("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    with pytest.raises(ImportFileError, match="password-protected: open it in Excel, save it without a password"):
        read_table(data=data, filename="roster.xlsx")


def test_an_old_xls_file_is_still_called_one():
    with pytest.raises(ImportFileError, match="old Excel .xls file"):
        read_table(data=_ole_file("Root Entry", "Workbook", "\x05SummaryInformation"), filename="roster.xls")


def test_an_array_formula_is_imported_as_its_text():
    from openpyxl.worksheet.formula import ArrayFormula

    data = xlsx_file([HEADER, ["1", ArrayFormula("B2:B2", "=SUM(1,2)"), "Baca"]])
    assert read_table(data=data, filename="a.xlsx").rows == [(2, ["1", "=SUM(1,2)", "Baca"])]


SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook_with_sheet_xml(sheet_xml: str, *, part: str = "worksheets/sheet1.xml") -> bytes:
    """An openpyxl workbook whose first worksheet is replaced by `sheet_xml`, stored as xl/`part`."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([["x"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = sheet_xml.encode() if name == "xl/worksheets/sheet1.xml" else source.read(name)
            archive.writestr(
                name.replace("worksheets/sheet1.xml", part), content.replace(b"worksheets/sheet1.xml", part.encode())
            )
    return buffer.getvalue()


def _prefixed_sheet(*rows: str) -> str:
    cells = "".join(f'<x:row r="{n}">{cells}</x:row>' for n, cells in enumerate(rows, start=1))
    return f'<x:worksheet xmlns:x="{SPREADSHEETML}"><x:sheetData>{cells}</x:sheetData></x:worksheet>'


def _text(ref: str, text: str) -> str:
    return f'<x:c r="{ref}" t="inlineStr"><x:is><x:t>{text}</x:t></x:is></x:c>'


@pytest.mark.parametrize("part", ["worksheets/sheet1.xml", "data/people.xml"])
def test_a_formula_under_a_namespace_prefix_in_any_worksheet_part_is_imported_as_its_text(part):
    sheet = _prefixed_sheet(
        _text("A1", "student_id") + _text("B1", "first_name"),
        _text("A2", "1") + '<x:c r="B2"><x:f>1+1</x:f><x:v>2</x:v></x:c>',
    )
    data = _workbook_with_sheet_xml(sheet, part=part)
    assert read_table(data=data, filename="a.xlsx").rows == [(2, ["1", "=1+1"])]


@pytest.mark.parametrize("error", ["#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"])
def test_excel_error_cells_come_in_as_their_error_text_not_blank(error):
    sheet = _prefixed_sheet(
        _text("A1", "student_id") + _text("B1", "earned_on"),
        _text("A2", "1") + f'<x:c r="B2" t="e"><x:v>{error}</x:v></x:c>',
    )
    assert read_table(data=_workbook_with_sheet_xml(sheet), filename="a.xlsx").rows == [(2, ["1", error])]


def test_an_error_cell_in_a_date_column_is_reported_as_not_a_date_rather_than_blank(db):
    from tests.factories import CredentialFactory, StudentFactory
    from tests.imports.helpers import errors, plan

    StudentFactory(local_id="1")
    CredentialFactory(code="OSHA10")
    sheet = _prefixed_sheet(
        _text("A1", "student_id") + _text("B1", "credential") + _text("C1", "earned_on"),
        _text("A2", "1") + _text("B2", "OSHA10") + '<x:c r="C2" t="e"><x:v>#VALUE!</x:v></x:c>',
    )
    result = plan("credentials", _workbook_with_sheet_xml(sheet), filename="awards.xlsx")
    assert errors(result) == [(2, "earned_on", "'#VALUE!' is not a date (use 2025-03-03 or 3/3/2025)")]
