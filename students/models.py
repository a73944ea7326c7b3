"""Districts, schools, school years, students and their yearly enrollments."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Collate
from simple_history.models import HistoricalRecords


class District(models.Model):
    name = models.CharField(max_length=200)
    state_code = models.CharField(
        "state district code", max_length=20, unique=True, help_text="The district code the state uses (STARS)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    code = models.CharField(max_length=20, help_text="The school or location code the district and state use.")
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="school_code_unique_in_district")]

    def __str__(self) -> str:
        return self.name


def school_year_start_for(day: date) -> int:
    """The calendar year in which the school year containing `day` starts."""
    month, start_day = settings.SCHOOL_YEAR_START
    return day.year if (day.month, day.day) >= (month, start_day) else day.year - 1


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


class SchoolYearQuerySet(models.QuerySet):
    def on_record(self) -> SchoolYearQuerySet:
        """School years with at least one enrollment (the years a report can show)."""
        return self.filter(models.Exists(Enrollment.objects.filter(school_year=models.OuterRef("pk"))))

    # Lookups only: reading never creates a school year (students.services.school_year_ensure does, where a
    # year may begin: imports, the demo, recording an award). Each raises SchoolYear.DoesNotExist, as get() does.
    def for_date(self, day: date) -> SchoolYear:
        """The school year on record containing `day` (by the SCHOOL_YEAR_START rule, school_year_start_for)."""
        return self.for_start_year(school_year_start_for(day))

    def for_start_year(self, start_year: int) -> SchoolYear:
        """The school year on record starting in `start_year`."""
        return self.get(start_year=start_year)

    def for_label(self, label: str) -> SchoolYear:
        """The school year on record for a label such as `2024-25` (or `2024-2025`); ValueError when unreadable."""
        start_year = parse_school_year_label(label)
        return self.for_start_year(start_year)


def parse_school_year_label(label: str) -> int:
    """The start year of `2024-25`, `2024-2025` or `2024`; ValueError with a plain message otherwise."""
    text = str(label).strip()
    parts = text.replace("–", "-").replace("/", "-").split("-")
    try:
        start = int(parts[0])
        if len(parts) == 2:
            end = int(parts[1])
            if end != (start + 1) % 100 and end != start + 1:
                raise ValueError
        elif len(parts) != 1:
            raise ValueError
    except ValueError:
        raise ValueError(f"'{text}' is not a school year like 2024-25") from None
    if not 1990 <= start <= 2100:
        raise ValueError(f"'{text}' is not a school year like 2024-25")
    return start


class SchoolYear(models.Model):
    """A school year such as 2024-25; its dates come from the SCHOOL_YEAR_START setting."""

    start_year = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=9, unique=True)
    start_date = models.DateField()
    end_date = models.DateField()

    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="school_year_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def by_rule(cls, start_year: int) -> SchoolYear:
        """The school year starting in `start_year` as SCHOOL_YEAR_START defines it, unsaved: its label and
        dates, for the service that records it and for a page showing a year that has no row yet."""
        month, day = settings.SCHOOL_YEAR_START
        start = date(start_year, month, day)
        return cls(
            start_year=start_year,
            label=school_year_label(start_year),
            start_date=start,
            end_date=date.fromordinal(date(start_year + 1, month, day).toordinal() - 1),
        )

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


def normalize_for_search(text: str) -> str:
    """Lower case without accents, so 'nunez' finds 'Núñez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_q(text: str, *, field: str = "search_text") -> models.Q:
    """Rows whose search text holds every word of `text` (at most five), accents and case ignored; `field`
    is the path to Student.search_text from the queried model."""
    condition = models.Q()
    for word in normalize_for_search(text).split()[:5]:
        condition &= models.Q(**{f"{field}__contains": word})
    return condition


@lru_cache(maxsize=100_000)
def _search_part(text: str) -> str:
    return text.casefold() if text.isascii() else normalize_for_search(text)


# How names sort: by their letters first, then accents, then case, as people expect ("Aragón, Ángel"
# before "Aragón, Tahoma"; "Ñ" beside "N"), not by code point (which puts every accented capital after
# "Z"). On PostgreSQL this is ICU's root collation, which every ICU-enabled build has; on SQLite the
# students app registers a collation of the same name (see name_collation_compare), so one
# expression sorts alike on both.
NAME_COLLATION = "und-x-icu"


def name_order(prefix: str = "", *, descending: bool = False) -> list:
    """The one order of students: last, first and middle name by NAME_COLLATION, then the student ID.
    `prefix` is the path to the student from the queried model (`student__` from an enrollment)."""
    names = [Collate(F(f"{prefix}{field}"), NAME_COLLATION) for field in ("last_name", "first_name", "middle_name")]
    order = [*names, F(f"{prefix}local_id")]
    return [expression.desc() if descending else expression.asc() for expression in order]


@lru_cache(maxsize=100_000)
def _name_sort_key(text: str) -> tuple[str, str, str]:
    # Letters without accents or case, then accents, then case (lower case first, as ICU does).
    return normalize_for_search(text), text.casefold(), text.swapcase()


def name_collation_compare(left: str, right: str) -> int:
    """NAME_COLLATION for SQLite: compares as ICU's root collation does for names (see _name_sort_key)."""
    a, b = _name_sort_key(left), _name_sort_key(right)
    return (a > b) - (a < b)


class StudentQuerySet(models.QuerySet):
    def in_name_order(self) -> StudentQuerySet:
        """Students as every list, search and export shows them (see name_order)."""
        return self.order_by(*name_order())


def sorted_name(*, first_name: str, middle_name: str, last_name: str) -> str:
    """ "Last, First Middle": the one way a student is named, for a record or for a row not yet saved."""
    given = " ".join(part for part in (first_name, middle_name) if part)
    return f"{last_name}, {given}"


class Student(models.Model):
    """One person, for their whole history in the district."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        NONBINARY = "X", "Non-binary"

    class RaceEthnicity(models.TextChoices):
        HISPANIC = "hispanic", "Hispanic or Latino"
        AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
        ASIAN = "asian", "Asian"
        BLACK = "black", "Black or African American"
        PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
        WHITE = "white", "White"
        MULTIRACIAL = "multiracial", "Two or more races"

    local_id = models.CharField(
        "student ID", max_length=20, unique=True, help_text="The district's local student ID, kept as text (004512)."
    )
    state_id = models.CharField("state student ID", max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    race_ethnicity = models.CharField(max_length=20, choices=RaceEthnicity.choices, blank=True)
    home_language = models.CharField(max_length=60, blank=True)
    # Accent-free, lower-case "last first middle id" for search; kept in step by save() and the importers.
    # No B-tree index: search is `contains`, served by the trigram index on PostgreSQL (migration 0002).
    search_text = models.CharField(max_length=400, editable=False, default="")

    # The history is read per student (by `id`); indexes on its copies of local_id and search_text
    # would only slow every write.
    history = HistoricalRecords(no_db_index=["local_id", "search_text"])
    objects = StudentQuerySet.as_manager()

    class Meta:
        ordering = name_order()
        constraints = [
            models.UniqueConstraint(fields=["state_id"], condition=~Q(state_id=""), name="student_state_id_unique"),
            models.CheckConstraint(condition=~Q(local_id=""), name="student_local_id_not_blank"),
        ]

    def __str__(self) -> str:
        # The one way a student is named (admin, messages, choices): the sorted name and the ID.
        return f"{self.sorted_name} ({self.local_id})"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text(
            local_id=self.local_id,
            first_name=self.first_name,
            middle_name=self.middle_name,
            last_name=self.last_name,
            state_id=self.state_id,
        )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """A typed ID (the admin, any model form) is stored in the one normal form, or refused."""
        from students.local_ids import clean_local_id, local_id_problem

        self.local_id = clean_local_id(self.local_id or "")
        problem = local_id_problem(self.local_id) if self.local_id else None
        if problem:
            raise ValidationError({"local_id": problem})

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    @property
    def sorted_name(self) -> str:
        """ "Last, First Middle": how lists and headings show a student."""
        return sorted_name(first_name=self.first_name, middle_name=self.middle_name, last_name=self.last_name)

    @staticmethod
    def build_search_text(
        *, local_id: str, first_name: str, middle_name: str, last_name: str, state_id: str = ""
    ) -> str:
        """Last, first and middle name, local and state ID, lower case without accents. Built part by part
        through a cache: names repeat, and an import of 100,000 students calls this 100,000 times."""
        return " ".join(_search_part(p) for p in (last_name, first_name, middle_name, local_id, state_id) if p)


class Grade(models.IntegerChoices):
    PRE_K = -1, "PK"
    KINDERGARTEN = 0, "K"
    GRADE_1 = 1, "1"
    GRADE_2 = 2, "2"
    GRADE_3 = 3, "3"
    GRADE_4 = 4, "4"
    GRADE_5 = 5, "5"
    GRADE_6 = 6, "6"
    GRADE_7 = 7, "7"
    GRADE_8 = 8, "8"
    GRADE_9 = 9, "9"
    GRADE_10 = 10, "10"
    GRADE_11 = 11, "11"
    GRADE_12 = 12, "12"


# The student groups a year's enrollment carries; the first three are the strategic plan's gap groups.
STUDENT_GROUPS = {
    "special_education": "Special education",
    "emergent_bilingual": "Emergent bilingual",
    "economically_disadvantaged": "Economically disadvantaged",
    "homeless": "Homeless",
    "foster_care": "Foster care",
    "migrant": "Migrant",
    "military_connected": "Military-connected",
}
GAP_GROUPS = ["special_education", "emergent_bilingual", "economically_disadvantaged"]


class EnrollmentQuerySet(models.QuerySet):
    def in_school_year(self, school_year: SchoolYear) -> EnrollmentQuerySet:
        # By id, so a year not on record yet (SchoolYear.by_rule, unsaved) simply has no enrollments.
        return self.filter(school_year_id=school_year.pk)

    def in_student_name_order(self, *, descending: bool = False) -> EnrollmentQuerySet:
        """Enrollments in the order of their students' names (see name_order)."""
        return self.order_by(*name_order("student__", descending=descending))


class Enrollment(models.Model):
    """A student in one school year: the school, the grade and that year's student-group flags."""

    # No index of their own: the unique (student, school_year) constraint serves look-ups by student
    # and the (school_year, school, grade) index those by school year.
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="enrollments", db_index=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrollments")
    grade = models.SmallIntegerField(choices=Grade.choices)
    special_education = models.BooleanField(default=False)
    emergent_bilingual = models.BooleanField("emergent bilingual (English learner)", default=False)
    economically_disadvantaged = models.BooleanField(default=False)
    homeless = models.BooleanField(default=False)
    foster_care = models.BooleanField(default=False)
    migrant = models.BooleanField(default=False)
    military_connected = models.BooleanField(default=False)

    # The history is read per student (by `student_id`), never by school or year.
    history = HistoricalRecords(no_db_index=["school", "school_year"])
    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["school_year", "school", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year"], name="one_enrollment_per_student_per_year"),
            models.CheckConstraint(condition=Q(grade__gte=-1, grade__lte=12), name="enrollment_grade_in_range"),
        ]
        indexes = [
            # A counselor's scope (this year's enrollments at their schools) is read from this index alone on
            # PostgreSQL, which stores the student with each entry (`include`; other databases leave it out).
            models.Index(
                fields=["school_year", "school", "grade"], include=["student"], name="enrollment_year_school_grade"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.school_year}, {self.school}, grade {self.get_grade_display()}"

    @property
    def groups(self) -> list[str]:
        return [label for field, label in STUDENT_GROUPS.items() if getattr(self, field)]

    def clean(self) -> None:
        if self.grade is not None and not -1 <= self.grade <= 12:
            raise ValidationError({"grade": "Grade must be PK, K or 1 to 12."})
