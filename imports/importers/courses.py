"""Course completions: one row per course a student took in a school year, passed or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from imports.columns import Column, LookupColumn, Row, StudentIdColumn, YesNoColumn
from imports.importers.base import WRITE_BATCH, Counts, Importer, Plan, chunked, code_or_name_lookup, merge_optional
from imports.models import ImportBatch
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


@dataclass(slots=True)
class CourseRow:
    row: int
    student_pk: int
    course_pk: int
    start_year: int
    passed: bool
    hours: Decimal

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
            passed, hours = v["passed"], v["college_credit_hours"]
            if key in seen:
                first, first_details = seen[key]
                # Read values compared ("Y" is "Yes", "3" is "3.0"); blank hours are "not given".
                merged, clash = merge_optional(
                    [("passed", first_details[0], passed), ("college_credit_hours", first_details[1], hours)]
                )
                if clash:
                    self.error(number, "course", f"the same course and year is on row {first} with other values")
                else:
                    seen[key] = (first, merged)
                    self.plan.duplicate_rows += 1
                continue
            seen[key] = (number, (passed, hours))
        records = [
            CourseRow(number, *key, passed, Decimal(0) if hours is None else hours)
            for key, (number, (passed, hours)) in seen.items()
        ]
        existing = {}
        for part in chunked(sorted({r.student_pk for r in records})):
            for s, c, y, passed, hours in CourseCompletion.objects.filter(student_id__in=part).values_list(
                "student_id", "course_id", "school_year__start_year", "passed", "college_credit_hours"
            ):
                existing[(s, c, y)] = (passed, hours)
        keep = []
        for r in records:
            old = existing.get(r.key)
            if old is None:
                self.plan.counts.created += 1
                self.plan.created_keys.add(r.key)
            elif old != (r.passed, r.hours):
                self.plan.counts.updated += 1
            else:
                self.plan.counts.unchanged += 1
                continue
            keep.append(r)
        self.plan.records = keep

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[CourseRow] = self.plan.records
        years = self.school_years(r.start_year for r in records)
        objs = [
            CourseCompletion(
                student_id=r.student_pk,
                course_id=r.course_pk,
                school_year=years[r.start_year],
                passed=r.passed,
                college_credit_hours=r.hours,
                import_batch=batch,
            )
            for r in records
        ]
        CourseCompletion.objects.bulk_create(
            objs,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["student", "course", "school_year"],
            update_fields=["passed", "college_credit_hours", "import_batch"],
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
