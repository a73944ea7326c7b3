"""Course completions: one row per course a student took in a school year, passed or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from imports.columns import Column, LookupColumn, Row, StudentIdColumn, YesNoColumn
from imports.importers.base import WRITE_BATCH, Counts, Importer, Plan, chunked, code_or_name_lookup, merge_optional
from imports.models import ImportBatch
from pathways.grades import parse_course_grade
from pathways.models import Course, CourseCompletion
from reports.services import rollups_update
from students.models import parse_school_year_label, school_year_label, school_year_start_for


class CourseYearColumn(Column):
    """The school year the course was taken; one that has not started yet is refused."""

    def read(self, text: str, row: Row) -> int:
        start = parse_school_year_label(text)
        this_year = school_year_start_for(row.importer.today)
        if start > this_year:
            raise ValueError(
                f"{school_year_label(start)} has not started yet "
                f"(the current school year is {school_year_label(this_year)})"
            )
        return start


class HoursColumn(Column):
    """College credit hours: a number the model field can hold, to its decimal places; blank is not given."""

    @property
    def empty(self) -> None:
        return None

    def read(self, text: str, row: Row) -> Decimal:
        step = Decimal(1).scaleb(-self.field.decimal_places)
        limit = Decimal(10) ** (self.field.max_digits - self.field.decimal_places)
        try:
            hours = Decimal(text)
            if not hours.is_finite() or not Decimal(0) <= hours < limit:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValueError(f"'{text}' is not a number of hours") from None
        if hours != hours.quantize(step):
            raise ValueError(f"'{text}' has more than one decimal place")
        return hours


class CourseGradeColumn(Column):
    """The course grade: a letter (A+ to F) or a number from 0 to 100 read by the district's NUMERIC_GRADE_SCALE;
    (letter, number or None). A blank cell is "not given": the grade on record stays."""

    @property
    def empty(self) -> None:
        return None

    def read(self, text: str, row: Row) -> tuple[str, Decimal | None]:
        return parse_course_grade(text)

    def compare(self, text: str) -> tuple[str, Decimal | None] | str:
        try:
            return parse_course_grade(text)
        except ValueError:
            return text


# A course grade: (letter, the number it was given as, or None).
Grade = tuple[str, Decimal | None]


@dataclass(slots=True)
class CourseRow:
    row: int
    student_pk: int
    course_pk: int
    start_year: int
    passed: bool
    hours: Decimal
    grade: Grade | None  # None: not given, the grade on record stays

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.student_pk, self.course_pk, self.start_year)


@dataclass
class CoursePlan(Plan):
    created_keys: set[tuple[int, int, int]] = field(default_factory=set)  # (student, course, start year)


class CourseImporter(Importer):
    kind = ImportBatch.Kind.COURSES
    plan: CoursePlan
    plan_type = CoursePlan
    columns = (
        StudentIdColumn(existing=True),
        LookupColumn(
            "course",
            "Course",
            "Course Code",
            "Course Name",
            "course_number",
            required=True,
            blank="the course is blank",
            lookup="courses",
            unknown="'{text}' is not a course in the catalog",
        ),
        CourseYearColumn(
            "school_year", "School year", "SchoolYear", "Year", required=True, blank="the school year is blank"
        ),
        YesNoColumn("passed", "Passed", "Pass", required=True),
        HoursColumn(
            "college_credit_hours", "College credit hours", "Credit Hours", "College Hours", model=CourseCompletion
        ),
        CourseGradeColumn("grade", "Grade", "Grade Earned", "Final Grade", "Mark"),
    )

    def check_rows(self) -> None:
        parsed = list(self.rows())
        self.lookups["students"] = self.student_matches()
        self.lookups["courses"] = code_or_name_lookup(Course.objects.all())
        seen: dict[tuple, tuple[int, tuple]] = {}
        for number, texts in parsed:
            v = self.clean(number, texts)
            if number in self.plan.rejected:
                continue
            key = (v["student_id"], v["course"], v["school_year"])
            passed, hours, grade = v["passed"], v["college_credit_hours"], v["grade"]
            if key in seen:
                first, first_details = seen[key]
                # Read values compared ("Y" is "Yes", "3" is "3.0", "b+" is "B+"); blank hours and grades are
                # "not given".
                merged, clash = merge_optional(
                    [
                        ("passed", first_details[0], passed),
                        ("college_credit_hours", first_details[1], hours),
                        ("grade", first_details[2], grade),
                    ]
                )
                if clash:
                    self.error(number, "course", f"the same course and year is on row {first} with other values")
                else:
                    seen[key] = (first, merged)
                    self.plan.duplicate_rows += 1
                continue
            seen[key] = (number, (passed, hours, grade))
        records = [
            CourseRow(number, *key, passed, Decimal(0) if hours is None else hours, grade)
            for key, (number, (passed, hours, grade)) in seen.items()
        ]
        existing = {}
        for part in chunked(sorted({r.student_pk for r in records})):
            for s, c, y, passed, hours, letter, numeric in CourseCompletion.objects.filter(
                student_id__in=part
            ).values_list(
                "student_id", "course_id", "school_year__start_year", "passed", "college_credit_hours",
                "final_grade", "numeric_grade",
            ):  # fmt: skip
                existing[(s, c, y)] = (passed, hours, (letter, numeric))
        self.plan.records = self.changes_only(
            records,
            existing,
            lambda r, old: old[:2] != (r.passed, r.hours) or (r.grade is not None and old[2] != r.grade),
        )

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[CourseRow] = self.plan.records
        years = self.school_years(r.start_year for r in records)
        fields = ["passed", "college_credit_hours", "import_batch"]
        # Rows with a grade write it; rows without one leave the grade on record as it is.
        for graded in (True, False):
            objs = [
                CourseCompletion(
                    student_id=r.student_pk,
                    course_id=r.course_pk,
                    school_year=years[r.start_year],
                    passed=r.passed,
                    college_credit_hours=r.hours,
                    final_grade=r.grade[0] if graded else "",
                    numeric_grade=r.grade[1] if graded else None,
                    import_batch=batch,
                )
                for r in records
                if (r.grade is not None) == graded
            ]
            CourseCompletion.objects.bulk_create(
                objs,
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["student", "course", "school_year"],
                update_fields=[*fields, "final_grade", "numeric_grade"] if graded else fields,
            )
        # Every row written now names this batch: one history row each, "+" created or "~" changed.
        written = CourseCompletion.objects.filter(import_batch=batch).select_related("school_year")
        created, changed = [], []
        for completion in written:
            key = (completion.student_id, completion.course_id, completion.school_year.start_year)
            (created if key in self.plan.created_keys else changed).append(completion)
        self.history(CourseCompletion, created, update=False, user=user, batch=batch)
        self.history(CourseCompletion, changed, update=True, user=user, batch=batch)
        rollups_update(student_ids={r.student_pk for r in records})  # the dashboard's tables, in this transaction
        return self.plan.counts
