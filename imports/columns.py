"""Columns each kind of file has, the names real exports give them, and how a header is matched."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from students.local_ids import clean_local_id
from students.models import Grade


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


STUDENT_ID = Column(
    "student_id",
    "Student ID",
    True,
    ("Student_Number", "Student Number", "studentNumber", "Local ID", "StudentID", "Student ID", "local_id"),
)

COLUMNS: dict[str, list[Column]] = {
    "students": [
        STUDENT_ID,
        Column("state_id", "State ID", False, ("State_StudentNumber", "stateID", "State ID", "SSID", "STARS ID")),
        Column("first_name", "First name", True, ("First_Name", "firstName", "First")),
        Column("last_name", "Last name", True, ("Last_Name", "lastName", "Last")),
        Column("middle_name", "Middle name", False, ("Middle_Name", "middleName", "Middle")),
        Column("birth_date", "Birth date", False, ("DOB", "birthDate", "Date of Birth")),
        Column("grade", "Grade", True, ("Grade_Level", "Grade Level")),
        Column("school", "School", True, ("SchoolID", "School Name", "School Code", "schoolNumber")),
        Column("special_education", "Special education", False, ("IEP", "SPED", "Special Education")),
        Column(
            "emergent_bilingual",
            "Emergent bilingual",
            False,
            ("LEP_Status", "ELL", "EL", "English Learner", "Emergent Bilingual"),
        ),
        Column(
            "economically_disadvantaged",
            "Economically disadvantaged",
            False,
            ("Economically Disadvantaged", "EconDis", "FRL"),
        ),
        Column("school_year", "School year", False, ("SchoolYear", "Year")),
    ],
    "credentials": [
        STUDENT_ID,
        Column("credential", "Credential", True, ("Credential", "Certification", "credential_code")),
        Column("earned_on", "Date earned", True, ("Date Earned", "Date", "earned_date")),
        Column("certificate_number", "Certificate number", False, ("Certificate #", "Certificate No")),
        Column("program", "Program", False, ("Program of Study",)),
        Column("note", "Note", False, ("Notes", "Comment")),
    ],
    "catalog": [
        Column("code", "Code", True, ("Credential Code",)),
        Column("name", "Name", True, ("Credential Name", "Credential")),
        Column("issuer", "Issuer", True, ("Issuing Organization", "Organization")),
        Column("kind", "Kind", False, ("Type",)),
        Column("cluster", "Career cluster", False, ("Career Cluster",)),
        Column("state_recognized", "State recognized", False, ("State Recognised",)),
        Column("aliases", "Aliases", False, ("Also known as",)),
    ],
    "courses": [
        STUDENT_ID,
        Column("course", "Course", True, ("Course Code", "Course Name", "course_number")),
        Column("school_year", "School year", True, ("SchoolYear", "Year")),
        Column("passed", "Passed", True, ("Pass",)),
        Column("college_credit_hours", "College credit hours", False, ("Credit Hours", "College Hours")),
    ],
}


def normalize_header(text: str) -> str:
    """'Student_Number', 'student number' and 'Student-Number' all become 'studentnumber'."""
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def header_targets(kind: str, header: list[str], mapping: dict[str, str] | None = None) -> list[str]:
    """The canonical column name each header cell maps to ("" for none), from a hand mapping first,
    then names and aliases.

    `mapping` maps a file header to a canonical name ("" means ignore the column).
    """
    columns = COLUMNS[kind]
    known = {}
    for column in columns:
        for name in (column.name, *column.aliases):
            known.setdefault(normalize_header(name), column.name)
    mapping = mapping or {}
    return [mapping[title] if title in mapping else known.get(normalize_header(title), "") for title in header]


def match_headers(kind: str, header: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Canonical column name -> index in the file of the first column that maps to it."""
    found: dict[str, int] = {}
    for index, target in enumerate(header_targets(kind, header, mapping)):
        if target and target not in found:
            found[target] = index
    return found


def repeated_columns(kind: str, header: list[str], mapping: dict[str, str] | None = None) -> dict[str, list[int]]:
    """Canonical column name -> indexes of the later columns that map to it too (e.g. both
    "Student Number" and "StudentID"); their values must agree with the first's on every row."""
    first: set[str] = set()
    repeats: dict[str, list[int]] = {}
    for index, target in enumerate(header_targets(kind, header, mapping)):
        if target in first:
            repeats.setdefault(target, []).append(index)
        elif target:
            first.add(target)
    return repeats


def missing_columns(kind: str, found: dict[str, int]) -> list[Column]:
    return [c for c in COLUMNS[kind] if c.required and c.name not in found]


# ---- values -------------------------------------------------------------------------------------

YES = {"y", "yes", "1", "true", "x", "t"}
NO = {"n", "no", "0", "false", "", "f"}


@lru_cache(maxsize=1024)
def parse_yes_no(text: str) -> bool:
    value = text.strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"'{text}' is not yes or no (use Y/N, Yes/No, 1/0, TRUE/FALSE or X/blank)")


EXCEL_EPOCH = date(1899, 12, 30)
# A date may carry the time an export added ("2025-03-03 00:00:00", "3/3/2025 12:00 AM"), nothing else.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_US = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{2}}|\d{{4}}){_TIME}$")
# Five digits: every day since 1990 (32874) has one; four digits are more likely a year typed alone.
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


@lru_cache(maxsize=65536)  # a file holds few distinct dates; results are immutable
def parse_date(text: str) -> date:
    """ISO 2025-03-03, US 3/3/2025, or an Excel serial day number such as 45719."""
    value = text.strip()
    try:
        if m := _ISO.match(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US.match(value):
            year = int(m[3])
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
        if _SERIAL.match(value):
            return EXCEL_EPOCH + timedelta(days=int(float(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None
    raise ValueError(f"'{value}' is not a date (use 2025-03-03 or 3/3/2025)")


_GRADES = {label.casefold(): value for value, label in Grade.choices}
_GRADES.update({"kg": 0, "pk": -1, "prek": -1, "pre-k": -1})
_GRADE_VALUES = {value for value, _ in Grade.choices}
# A whole number, as PowerSchool's Grade_Level gives it (0 kindergarten, -1 pre-K), maybe with ".0".
_GRADE_NUMBER = re.compile(r"^-?\d+(?:\.0*)?$")


@lru_cache(maxsize=1024)
def parse_grade(text: str) -> int:
    value = text.strip().casefold()
    if value in _GRADES:
        return _GRADES[value]
    if _GRADE_NUMBER.match(value):
        number = int(value.split(".")[0])
        if number in _GRADE_VALUES:
            return number
    raise ValueError(f"'{text}' is not a grade (PK, K or 1 to 12)")


def clean_id(text: str) -> str:
    """IDs are text: the one rule for a student ID (students.local_ids.clean_local_id: NFKC, invisible
    characters and surrounding spaces removed), then an Excel '.0' left on a whole number dropped."""
    value = clean_local_id(text)
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    return value


def column_label(kind: str, name: str) -> str:
    """What a person reads for a canonical column ("certificate_number" -> "Certificate number"); a name
    that is no column of `kind` (a file's own header title) is shown as it is."""
    return _LABELS.get(kind, {}).get(name, name)


_LABELS = {kind: {c.name: c.label for c in columns} for kind, columns in COLUMNS.items()}

# How the value of a column is read, for comparing two cells that may spell one value differently
# ("Y" and "Yes", "3/7/2010" and "2010-03-07", "1566.0" and "1566"); other columns compare as text.
_READERS = {
    "student_id": clean_id,
    "state_id": clean_id,
    "birth_date": parse_date,
    "earned_on": parse_date,
    "grade": parse_grade,
    "special_education": parse_yes_no,
    "emergent_bilingual": parse_yes_no,
    "economically_disadvantaged": parse_yes_no,
    "passed": parse_yes_no,
    "state_recognized": parse_yes_no,
}


def same_value(name: str, first: str, second: str) -> bool:
    """Whether two cells of column `name` mean the same value; a cell that cannot be read equals only
    the same text."""
    if first == second:
        return True
    read = _READERS.get(name)
    if read is None:
        return False
    try:
        return read(first) == read(second)
    except ValueError:
        return False
