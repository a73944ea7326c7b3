"""Student rosters: one row per student and school year (PowerSchool's, Skyward's or a hand-made list)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from imports.bulk import insert_history, insert_rows, new_ids
from imports.columns import (
    Column,
    DateColumn,
    GradeColumn,
    IdColumn,
    Row,
    StudentIdColumn,
    TextColumn,
    YesNoColumn,
)
from imports.importers.base import (
    CHUNK,
    WRITE_BATCH,
    Counts,
    Importer,
    Plan,
    chunked,
    code_or_name_lookup,
    students_matching,
)
from imports.models import ImportBatch
from reports.services import rollups_update
from students.models import (
    GAP_GROUPS,
    STUDENT_GROUPS,
    District,
    Enrollment,
    School,
    SchoolYear,
    Student,
    parse_school_year_label,
    sorted_name,
)

FLAG_FIELDS = GAP_GROUPS  # the groups a roster carries
OTHER_FLAGS = [f for f in STUDENT_GROUPS if f not in FLAG_FIELDS]


class SchoolColumn(Column):
    """A school's code or name; one the district lacks is refused unless the import may create schools
    (a typo in a code must not become a school silently). The value is the text as the file gives it."""

    def read(self, text: str, row: Row) -> str:
        limit = School._meta.get_field("name").max_length
        if len(text) > limit:
            raise ValueError(f"longer than {limit} characters")
        if not row.importer.create_schools and text.casefold() not in row.importer.lookups["schools"]:
            raise ValueError(f"'{text}' is not the code or name of a school in the district")
        return text


class RosterYearColumn(Column):
    """The school year of the row; a blank cell is the year chosen for the whole file, if one was."""

    def clean(self, text: str, row: Row) -> int:
        if text:
            return parse_school_year_label(text)
        if row.importer.default_year is None:
            raise ValueError("blank, and no school year was chosen for the file")
        return row.importer.default_year


@dataclass(slots=True)
class StudentRow:
    row: int
    local_id: str
    state_id: str
    first_name: str
    middle_name: str
    last_name: str
    birth_date: date | None
    start_year: int
    school_key: str
    grade: int
    flags: dict[str, bool]


# A student's recorded person and what a roster does not carry (sex, race, home language, kept as recorded).
_STUDENT_FIELDS = [
    ("state_id", str),
    ("first_name", str),
    ("middle_name", str),
    ("last_name", str),
    ("birth_date", date | None),
    ("sex", str),
    ("race_ethnicity", str),
    ("home_language", str),
]
# A student as the import writes it (and its history records it).
StudentValues = NamedTuple("StudentValues", [("local_id", str), *_STUDENT_FIELDS, ("search_text", str)])
# What validation reads of a student already recorded (without search_text, always rebuilt).
ExistingStudent = NamedTuple("ExistingStudent", [("local_id", str), ("id", int), *_STUDENT_FIELDS])


# An enrollment as the import writes it; the flags a roster does not carry keep their recorded values.
_ENROLLMENT_FIELDS = [("student_id", int), ("school_year_id", int), ("school_id", int), ("grade", int)] + [
    (flag, bool) for flag in STUDENT_GROUPS
]
EnrollmentValues = NamedTuple("EnrollmentValues", _ENROLLMENT_FIELDS)
# An enrollment already recorded, as validation reads it.
EnrollmentRecord = NamedTuple("EnrollmentRecord", [("id", int), *_ENROLLMENT_FIELDS])
PERSON = tuple(name for name, _ in _STUDENT_FIELDS[:5])  # (state ID, names, birth date)
person_of = attrgetter(*PERSON)  # of a StudentRow or an ExistingStudent
OPTIONAL_PERSON = ["state_id", "middle_name", "birth_date"]
compared = attrgetter("school_id", "grade", *FLAG_FIELDS)  # of an EnrollmentValues
other_flags = attrgetter(*OTHER_FLAGS)


@dataclass
class RosterSeen:
    """What the roster's earlier rows held, for checking a row against them."""

    years: dict[tuple[str, int], int] = field(default_factory=dict)  # (ID, year) -> its first row
    year_rows: dict[tuple[str, int], StudentRow] = field(default_factory=dict)  # the valid row of each
    people: dict[str, StudentRow] = field(default_factory=dict)  # the first valid row of each student ID
    state_ids: dict[str, tuple[str, int]] = field(default_factory=dict)  # state ID -> (student ID, row)


@dataclass
class StudentPlan(Plan):
    # Lower-cased code or name -> pk of the district's schools; the new schools' keys -> their names.
    schools: dict[str, int] = field(default_factory=dict)
    new_school_names: dict[str, str] = field(default_factory=dict)
    existing: dict[str, ExistingStudent] = field(default_factory=dict)
    enrolled: dict[tuple[int, int], EnrollmentRecord] = field(default_factory=dict)  # (student, start year)


def enrollment_values(r: StudentRow, school_pk: int | None, before: Any | None) -> tuple:
    """(school, grade, flags...) as the enrollment will be; a flag column the file lacks keeps its value."""
    old = compared(before)[2:] if before else (False,) * len(FLAG_FIELDS)
    flags = [r.flags.get(f, old[i]) for i, f in enumerate(FLAG_FIELDS)]
    return (school_pk, r.grade, *flags)


def new_school_codes(names: Iterable[str], taken: set[str]) -> dict[str, str]:
    """A code (as long as School.code allows) for each new school: its name when that fits, else the name cut
    short with -2, -3... added when another school already has the cut-short text as its code or name.

    `taken` holds the lower-cased codes and names of the existing schools; codes are compared
    ignoring case because a roster's school column is matched that way.
    """
    limit = School._meta.get_field("code").max_length
    taken = set(taken)
    codes = {}
    for name in sorted(names, key=lambda n: (len(n) > limit, n.casefold())):  # names that fit come first
        code = name[:limit].rstrip()
        n = 1
        while code.casefold() in taken:
            n += 1
            suffix = f"-{n}"
            code = name[: limit - len(suffix)].rstrip() + suffix
        taken.add(code.casefold())
        codes[name] = code
    return codes


class StudentImporter(Importer):
    kind = ImportBatch.Kind.STUDENTS
    plan: StudentPlan
    plan_type = StudentPlan
    columns = (
        StudentIdColumn(existing=False),
        IdColumn(
            "state_id", "State ID", "State_StudentNumber", "stateID", "State ID", "SSID", "STARS ID", model=Student
        ),
        TextColumn(
            "first_name",
            "First name",
            "First_Name",
            "firstName",
            "First",
            required=True,
            blank="this is blank",
            model=Student,
        ),
        TextColumn(
            "last_name",
            "Last name",
            "Last_Name",
            "lastName",
            "Last",
            required=True,
            blank="this is blank",
            model=Student,
        ),
        TextColumn("middle_name", "Middle name", "Middle_Name", "middleName", "Middle", model=Student),
        DateColumn(
            "birth_date",
            "Birth date",
            "DOB",
            "birthDate",
            "Date of Birth",
            earliest=date(1900, 1, 1),
            too_early="{day} is not a possible birth date",
            model=Student,
        ),
        GradeColumn("grade", "Grade", "Grade_Level", "Grade Level", required=True, blank="the grade is blank"),
        SchoolColumn(
            "school",
            "School",
            "SchoolID",
            "School Name",
            "School Code",
            "schoolNumber",
            required=True,
            blank="the school is blank",
        ),
        YesNoColumn("special_education", "Special education", "IEP", "SPED", "Special Education"),
        YesNoColumn(
            "emergent_bilingual",
            "Emergent bilingual",
            "LEP_Status",
            "ELL",
            "EL",
            "English Learner",
            "Emergent Bilingual",
        ),
        YesNoColumn(
            "economically_disadvantaged", "Economically disadvantaged", "Economically Disadvantaged", "EconDis", "FRL"
        ),
        RosterYearColumn("school_year", "School year", "SchoolYear", "Year"),
    )

    def check_rows(self) -> None:
        self.default_year = None
        if self.options.get("school_year"):
            self.default_year = parse_school_year_label(self.options["school_year"])
        schools = self.lookups["schools"] = code_or_name_lookup(School.objects.all())
        self.create_schools = bool(self.options.get("create_schools"))
        self.lookups["students"] = self.student_matches()
        seen = RosterSeen()
        new_schools: dict[str, str] = {}
        shared_flags: dict[tuple, dict[str, bool]] = {}  # a few distinct ones, not a dict per row
        records: list[StudentRow] = []
        for number, texts in self.rows():
            v = self.clean(number, texts)
            flags = {flag: v[flag] for flag in FLAG_FIELDS if flag in self.found and v[flag] is not None}
            school = v["school"] or ""
            r = StudentRow(
                row=number,
                local_id=v["student_id"],
                state_id=v["state_id"],
                first_name=v["first_name"],
                middle_name=v["middle_name"] or "",
                last_name=v["last_name"],
                birth_date=v["birth_date"],
                start_year=v["school_year"],
                school_key=school.casefold(),
                grade=v["grade"],
                flags=shared_flags.setdefault(tuple(flags.items()), flags),
            )
            if r.start_year is not None and not texts.get("school_year"):
                self.plan.default_year_rows += 1
            if self._repeats(r, seen):
                continue
            if number not in self.plan.rejected:
                if r.school_key not in schools:
                    new_schools.setdefault(r.school_key, school)
                records.append(r)
                seen.people.setdefault(r.local_id, r)
                seen.year_rows.setdefault((r.local_id, r.start_year), r)
        self.plan.schools = schools
        self._diff(records, seen.state_ids)
        # Only the schools of rows that will be written are created (and listed in the preview).
        wanted = {r.school_key for r in self.plan.records if r.school_key in new_schools}
        new_schools = {key: name for key, name in new_schools.items() if key in wanted}
        self.plan.new_schools = sorted(new_schools.values(), key=str.casefold)
        self.plan.new_school_names = new_schools

    def _repeats(self, r: StudentRow, seen: RosterSeen) -> bool:
        """Checks a row against the file's earlier rows: True when it repeats one (the same values however
        they were spelled: "Y" and "Yes", 3/7/2010 and 2010-03-07), else errors for a student twice in a
        year, a state ID on two students, or one student ID with two different people."""
        number, local_id, start = r.row, r.local_id, r.start_year
        if local_id and start is not None:
            first_row = seen.year_rows.get((local_id, start))
            schools = self.lookups["schools"]
            if (
                first_row is not None
                and number not in self.plan.rejected
                and (person_of(first_row), first_row.grade, first_row.flags) == (person_of(r), r.grade, r.flags)
                # a school's code and its name are one school
                and schools.get(first_row.school_key, first_row.school_key) == schools.get(r.school_key, r.school_key)
            ):
                self.plan.duplicate_rows += 1
                return True
            other = seen.years.get((local_id, start))
            if other:
                self.error(number, "student_id", f"student '{local_id}' is already on row {other} for the same year")
            else:
                seen.years[(local_id, start)] = number
        if r.state_id and local_id:
            owner = seen.state_ids.get(r.state_id)
            if owner and owner[0] != local_id:
                self.error(number, "state_id", f"state ID '{r.state_id}' is also on row {owner[1]}")
            elif not owner:
                seen.state_ids[r.state_id] = (local_id, number)
        earlier = seen.people.get(local_id) if local_id and number not in self.plan.rejected else None
        if earlier is not None and person_of(r) != person_of(earlier):
            self.error(number, "student_id", self._other_person(earlier, r))
        return False

    @staticmethod
    def _other_person(earlier: StudentRow, r: StudentRow) -> str:
        """The message for a student ID whose person differs from the one on an earlier row."""
        differences = []
        if (earlier.first_name, earlier.middle_name, earlier.last_name) != (r.first_name, r.middle_name, r.last_name):
            name = sorted_name(
                first_name=earlier.first_name, middle_name=earlier.middle_name, last_name=earlier.last_name
            )
            differences.append(f"name ({name})")
        if earlier.birth_date != r.birth_date:
            differences.append(f"birth date ({earlier.birth_date.isoformat() if earlier.birth_date else 'blank'})")
        if earlier.state_id != r.state_id:
            differences.append(f"state ID ({earlier.state_id or 'blank'})")
        return f"student {r.local_id} is also on row {earlier.row} with a different {' and '.join(differences)}"

    def _diff(self, records: list[StudentRow], state_seen: dict[str, tuple[str, int]]) -> None:
        ids = sorted({r.local_id for r in records})
        # The ID string is shared with the key: a re-import holds one of these per student in the district.
        make = tuple.__new__  # as Django's named values_list does: _make() costs twice as much a row
        existing = {row[0]: make(ExistingStudent, row) for row in students_matching(ids, *ExistingStudent._fields)}
        # A state ID the file gives one student must not belong to another student already.
        if len(state_seen) <= 2 * CHUNK:
            queries = [Student.objects.filter(state_id__in=part) for part in chunked(sorted(state_seen))]
        else:
            queries = [Student.objects.exclude(state_id="")]
        for query in queries:
            for state_id, owner in query.values_list("state_id", "local_id").order_by().iterator(chunk_size=10000):
                local_id, number = state_seen.get(state_id, (owner, 0))
                if owner != local_id:
                    self.error(number, "state_id", f"state ID '{state_id}' belongs to student '{owner}'")
        if self.plan.rejected:
            records = [r for r in records if r.row not in self.plan.rejected]
        # A column the file does not have keeps what is recorded (an export without state IDs
        # must not wipe them); a column it has, even blank, is the student information system's word.
        absent = [name for name in OPTIONAL_PERSON if name not in self.found]
        if absent:
            for r in records:
                old = existing.get(r.local_id)
                if old is not None:
                    for name in absent:
                        setattr(r, name, getattr(old, name))
        years = dict(
            SchoolYear.objects.filter(start_year__in={r.start_year for r in records}).values_list("pk", "start_year")
        )
        enrolled: dict[tuple[int, int], EnrollmentRecord] = {}
        pks = {e.id for e in existing.values()}
        if len(pks) <= 2 * CHUNK:
            queries = [Enrollment.objects.filter(student_id__in=part) for part in chunked(sorted(pks))]
        else:  # as for students: one scan of the year beats a huge IN list
            queries = [Enrollment.objects.all()]
        for query in queries:
            for values in query.filter(school_year_id__in=years).values_list(*EnrollmentRecord._fields).order_by():
                row = make(EnrollmentRecord, values)
                if row.student_id in pks:
                    enrolled[(row.student_id, years[row.school_year_id])] = row
        schools = self.plan.schools
        final: dict[str, StudentRow] = {}
        for r in records:
            final[r.local_id] = r
        status: dict[str, str] = {}
        for local_id, r in final.items():
            old = existing.get(local_id)
            if old is None:
                status[local_id] = "created"
            elif person_of(r) != person_of(old):
                status[local_id] = "updated"
            else:
                status[local_id] = "unchanged"
        for r in records:
            old = existing.get(r.local_id)
            if old is None or status[r.local_id] == "updated":
                continue
            before = enrolled.get((old.id, r.start_year))
            if before is None or compared(before) != enrollment_values(r, schools.get(r.school_key), before):
                status[r.local_id] = "updated"
        counts = self.plan.counts
        for value in status.values():
            setattr(counts, value, getattr(counts, value) + 1)
        self.plan.records = records
        self.plan.existing = existing
        self.plan.enrolled = enrolled

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        plan = self.plan
        records, existing, enrolled = plan.records, plan.existing, plan.enrolled
        schools: dict[str, int] = dict(plan.schools)
        history = self.options.get("history", True)
        audit = {"when": timezone.now(), "user_id": user.pk if user else None, "reason": f"Import batch {batch.pk}"}
        if plan.new_school_names:
            schools.update(self._create_schools(plan.new_school_names.values()))
        years = self.school_years(r.start_year for r in records)
        final: dict[str, StudentRow] = {}
        for r in records:
            final[r.local_id] = r
        new_rows: list[StudentValues] = []
        changed_rows: list[StudentValues] = []
        changed_pks: list[int] = []
        for local_id, r in final.items():
            old = existing.get(local_id)
            if old is not None and person_of(r) == person_of(old):
                continue
            # save() is bypassed by bulk writes, so the search text is built here.
            search_text = Student.build_search_text(
                local_id=local_id,
                first_name=r.first_name,
                middle_name=r.middle_name,
                last_name=r.last_name,
                state_id=r.state_id,
            )
            # What the roster does not carry (sex, race, home language) stays as recorded.
            kept = ("", "", "") if old is None else (old.sex, old.race_ethnicity, old.home_language)
            values = StudentValues(local_id, *person_of(r), *kept, search_text)
            if old is None:
                new_rows.append(values)
            else:
                changed_rows.append(values)
                changed_pks.append(old.id)
        ids = new_ids(model=Student, count=len(new_rows))
        if ids is None:  # SQLite: insert, then read the keys back
            insert_rows(model=Student, rows=new_rows)
            pk_for = self.students_by_local_id(row.local_id for row in new_rows)
        else:
            pk_for = {row.local_id: pk for pk, row in zip(ids, new_rows, strict=True)}
            insert_rows(model=Student, rows=new_rows, pks=ids)
        del ids
        if changed_rows:
            Student.objects.bulk_create(
                [Student(id=pk, **row._asdict()) for pk, row in zip(changed_pks, changed_rows, strict=True)],
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["local_id"],
                update_fields=[*PERSON, "search_text"],
            )
        if history:
            created_pks = (pk_for[row.local_id] for row in new_rows)
            insert_history(model=Student, rows=new_rows, pks=created_pks, history_type="+", **audit)
            insert_history(model=Student, rows=changed_rows, pks=changed_pks, history_type="~", **audit)
        pk_for.update({local_id: old.id for local_id, old in existing.items()})

        new_enrollments: list[EnrollmentValues] = []
        changed_enrollments: list[EnrollmentValues] = []
        changed_enrollment_pks: list[int] = []
        for r in records:
            student_pk = pk_for[r.local_id]
            before = enrolled.get((student_pk, r.start_year))
            school_pk, grade, *flags = enrollment_values(r, schools[r.school_key], before)
            others = other_flags(before) if before else (False,) * len(OTHER_FLAGS)
            values = EnrollmentValues(student_pk, years[r.start_year].pk, school_pk, grade, *flags, *others)
            if before is None:
                new_enrollments.append(values)
            elif compared(before) != (school_pk, grade, *flags):
                changed_enrollments.append(values)
                changed_enrollment_pks.append(before.id)
        made: dict[tuple[int, int], int] = {}  # (student, school year) -> new enrollment's pk
        ids = new_ids(model=Enrollment, count=len(new_enrollments))
        read_back = ids is None
        if ids is None:
            insert_rows(model=Enrollment, rows=new_enrollments)
        else:
            made = {(row.student_id, row.school_year_id): pk for pk, row in zip(ids, new_enrollments, strict=True)}
            insert_rows(model=Enrollment, rows=new_enrollments, pks=ids)
            del ids
        if changed_enrollments:
            Enrollment.objects.bulk_create(
                [
                    Enrollment(id=pk, **row._asdict())
                    for pk, row in zip(changed_enrollment_pks, changed_enrollments, strict=True)
                ],
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["student", "school_year"],
                update_fields=["school", "grade", *FLAG_FIELDS],
            )
        if history and (new_enrollments or changed_enrollments):
            year_pks = [y.pk for y in years.values()]
            new_students = sorted({row.student_id for row in new_enrollments}) if read_back else []
            for part in chunked(new_students):
                made.update(
                    ((s, y), pk)
                    for pk, s, y in Enrollment.objects.filter(
                        student_id__in=part, school_year_id__in=year_pks
                    ).values_list("pk", "student_id", "school_year_id")
                )
            created_pks = (made[(row.student_id, row.school_year_id)] for row in new_enrollments)
            insert_history(model=Enrollment, rows=new_enrollments, pks=created_pks, history_type="+", **audit)
            insert_history(
                model=Enrollment, rows=changed_enrollments, pks=changed_enrollment_pks, history_type="~", **audit
            )
        # The dashboard's tables, in this transaction: the students whose school, grade or flags changed.
        rollups_update(student_ids={row.student_id for row in (*new_enrollments, *changed_enrollments)})
        return self.plan.counts

    @staticmethod
    def _create_schools(names: Iterable[str]) -> dict[str, int]:
        """The schools a roster names that the district lacks, created; lower-cased name -> pk."""
        district = District.objects.order_by("pk").first()
        if district is None:
            district = District.objects.create(name="District", state_code="000")
        taken = {text.casefold() for pair in School.objects.values_list("code", "name") for text in pair}
        codes = new_school_codes(names, taken)
        School.objects.bulk_create([School(district=district, code=codes[name], name=name) for name in names])
        made = School.objects.filter(district=district, code__in=codes.values())
        return {name.casefold(): pk for pk, name in made.values_list("pk", "name")}
