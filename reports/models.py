"""Board goals and their annual targets (every metric lives in reports/selectors.py)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Goal(models.Model):
    """A SMART goal the board adopted: a metric moving from a baseline year's value to a target year's value.

    Rates are stored as percentages (32.0 means 32%); counts as whole numbers. Every metric here is one
    where a higher value is better, so a year is on track when its actual value reaches its target.
    """

    class Metric(models.TextChoices):
        EARNER_RATE = "earner_rate", "Credential earner rate (%)"
        DISCRETE_EARNERS = "discrete_earners", "Students earning at least one credential"
        FIRST_TIME_EARNERS = "first_time_earners", "First-time earners"
        CREDENTIALS_AWARDED = "credentials_awarded", "Credentials awarded"
        COMPLETION_RATE = "completion_rate", "CTE program completion rate (%)"

    class Population(models.TextChoices):
        ALL = "all", "All students enrolled"
        GRADES_9_12 = "grades_9_12", "Grades 9–12"
        SENIORS = "grade_12", "Seniors (grade 12)"
        CONCENTRATORS = "concentrators", "CTE concentrators"

    RATE_METRICS = (Metric.EARNER_RATE, Metric.COMPLETION_RATE)

    name = models.CharField(max_length=200, help_text="As the strategic plan words it.")
    metric = models.CharField(max_length=30, choices=Metric.choices)
    population = models.CharField(
        max_length=20, choices=Population.choices, default=Population.ALL, help_text="Whose numbers the goal is about."
    )
    baseline_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="+")
    baseline_value = models.DecimalField(max_digits=9, decimal_places=2)
    target_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="+")
    target_value = models.DecimalField(max_digits=9, decimal_places=2)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_year__start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_value__gte=0) & Q(target_value__gte=0), name="goal_values_not_negative"
            ),
            models.CheckConstraint(condition=~Q(baseline_year=models.F("target_year")), name="goal_spans_two_years"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.metric in self.RATE_METRICS

    def clean(self) -> None:
        errors = {}
        # The years as set, saved or not: the goal form names a year that goal_save records only on saving.
        baseline, target = _year_set(self, "baseline_year"), _year_set(self, "target_year")
        if baseline and target and target.start_year <= baseline.start_year:
            errors["target_year"] = "The target year must come after the baseline year."
        for field in ("baseline_value", "target_value"):
            value = getattr(self, field)
            if value is not None and self.is_rate and value > Decimal(100):
                errors[field] = "A rate is a percentage from 0 to 100."
        if errors:
            raise ValidationError(errors)


def _year_set(row: models.Model, name: str):
    """The school year a goal or target names (saved or not yet), or None while it names none."""
    return getattr(row, name, None)  # an unset link raises RelatedObjectDoesNotExist, an AttributeError


class GoalTarget(models.Model):
    """An interim target for one school year between a goal's baseline and target years."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interim_targets")
    school_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["goal", "school_year__start_year"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "school_year"], name="one_interim_target_per_goal_year"),
            models.CheckConstraint(condition=Q(value__gte=0), name="goal_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.value} in {self.school_year}"

    def clean(self) -> None:
        goal = self.goal if self.goal_id else None
        year = _year_set(self, "school_year")
        baseline, target = (_year_set(goal, "baseline_year"), _year_set(goal, "target_year")) if goal else (None, None)
        if not (year and baseline and target):
            return
        if not baseline.start_year < year.start_year < target.start_year:
            raise ValidationError(
                {"school_year": "An interim target's year lies between the goal's baseline and target years."}
            )
        if goal.is_rate and self.value > Decimal(100):
            raise ValidationError({"value": "A rate is a percentage from 0 to 100."})


def _rollup_fk(to: str | type[models.Model]) -> models.ForeignKey:
    """A link from a rebuilt table: no database constraint and no reverse accessor (the table is deleted and
    refilled as a whole, after its sources)."""
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")


class StudentYear(models.Model):
    """Pre-aggregated: one row per enrollment, with the student's awards in that year.

    Rebuilt from enrollments and awards by `reports.services.rollups_refresh()` and never edited by
    hand; the dashboard's selectors read it so a board page stays fast at state size.
    """

    student = _rollup_fk("students.Student")
    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    special_education = models.BooleanField()
    emergent_bilingual = models.BooleanField()
    economically_disadvantaged = models.BooleanField()
    # Awards dated in this school year (0: not an earner this year).
    awards = models.PositiveIntegerField()
    # An earner this year whose first award ever is dated in this year.
    first_time = models.BooleanField()
    # The date of the first award dated in this year (null: not an earner this year), for year-to-date counts.
    first_award_on = models.DateField(null=True)
    # A concentrator / completer in at least one program by the end of this year (pathways.selectors).
    concentrator = models.BooleanField(default=False)
    completer = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "school_year"], name="one_student_year_row")]
        indexes = [
            models.Index(fields=["school_year", "school", "grade"], name="student_year_year_school_grade"),
            models.Index(fields=["school_year", "grade"], name="student_year_year_grade"),
        ]

    def __str__(self) -> str:
        return f"student {self.student_id} in school year {self.school_year_id}"


class StudentYearCredential(models.Model):
    """Pre-aggregated: a student's awards of one credential in one school year (rebuilt with StudentYear)."""

    student_year = _rollup_fk(StudentYear)
    # Copied from the student-year row, so the common filters need no join.
    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    credential = _rollup_fk("credentials.Credential")
    awards = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["school_year", "credential"], name="student_year_cred_year"),
            # The cells of one (year, school) are counted again after a change there (rollups_update).
            models.Index(fields=["school_year", "school"], name="student_year_cred_year_school"),
        ]

    def __str__(self) -> str:
        return f"{self.student_year}: credential {self.credential_id} × {self.awards}"


class StudentYearAward(models.Model):
    """Pre-aggregated: one row per award to a student enrolled in the award's school year, with its date and
    the student-year's school, grade, group flags and status copied, so that a year-to-date count (awards
    dated up to a cut-off) is one aggregate over this table. Rebuilt with StudentYear."""

    student_year = _rollup_fk(StudentYear)
    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    special_education = models.BooleanField()
    emergent_bilingual = models.BooleanField()
    economically_disadvantaged = models.BooleanField()
    concentrator = models.BooleanField()
    # The student-year's first-time flag (their first award ever is dated in this year).
    first_time = models.BooleanField()
    credential = _rollup_fk("credentials.Credential")
    earned_on = models.DateField()
    # The student-year's first award of the year / of this credential in the year (earliest date, then id): a
    # count of these rows up to a cut-off counts earners / students of a credential once each, with no DISTINCT.
    first_of_year = models.BooleanField()
    first_of_credential = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["school_year", "earned_on"], name="student_year_award_year_day")]

    def __str__(self) -> str:
        return f"{self.student_year}: credential {self.credential_id} on {self.earned_on}"


class StudentYearProgram(models.Model):
    """Pre-aggregated: a student enrolled in a year who is a participant of a program by the end of that year,
    with the courses of its sequence passed and their status (from pathways.selectors.program_course_counts)."""

    student_year = _rollup_fk(StudentYear)
    school_year = _rollup_fk("students.SchoolYear")
    program = _rollup_fk("pathways.ProgramOfStudy")
    # Copied from the student-year row, so the common filters need no join.
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    courses = models.PositiveSmallIntegerField()
    concentrator = models.BooleanField()
    completer = models.BooleanField()
    # The student earned a credential in this year, and the date of the first such award (from StudentYear).
    earned = models.BooleanField()
    first_award_on = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["school_year", "program"], name="student_year_program_year"),
            models.Index(fields=["school_year", "school"], name="student_year_prog_year_school"),
        ]

    def __str__(self) -> str:
        return f"{self.student_year}: program {self.program_id}"


class _Cell(models.Model):
    """Student-year rows of one year that share school, grade, group flags and CTE status, counted."""

    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    special_education = models.BooleanField()
    emergent_bilingual = models.BooleanField()
    economically_disadvantaged = models.BooleanField()
    concentrator = models.BooleanField()
    completer = models.BooleanField()
    enrolled = models.PositiveIntegerField()
    earners = models.PositiveIntegerField()
    awards = models.PositiveIntegerField()
    first_time = models.PositiveIntegerField()

    class Meta:
        abstract = True


class _CredentialCell(models.Model):
    """Students and awards of one credential per year, school, grade and CTE status."""

    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    concentrator = models.BooleanField()
    credential = _rollup_fk("credentials.Credential")
    students = models.PositiveIntegerField()
    awards = models.PositiveIntegerField()

    class Meta:
        abstract = True


class YearCell(_Cell):
    """Pre-aggregated: the student-year rows of one year that share school, grade, group flags and CTE status.

    Every student-year row falls in exactly one cell, so adding cells up counts each student once: the
    dashboard's common filters (year, school, grade, population, group) select whole cells.
    """

    def __str__(self) -> str:
        return f"cell of year {self.school_year_id}, school {self.school_id}, grade {self.grade}"


class YearCredentialCell(_CredentialCell):
    """Pre-aggregated: students and awards of one credential per year, school, grade and CTE status (a student
    falls in one cell per credential and year)."""

    def __str__(self) -> str:
        return f"credential {self.credential_id} in year {self.school_year_id}, school {self.school_id}"


class ProgramYearCell(_Cell):
    """Pre-aggregated like YearCell, for the participants of one program: a student-year row falls in one
    cell per program it takes part in, so a program's cells add up to its participants, each counted once.
    `concentrator` / `completer` are the status in that program."""

    program = _rollup_fk("pathways.ProgramOfStudy")

    def __str__(self) -> str:
        return f"cell of program {self.program_id}, year {self.school_year_id}, school {self.school_id}"


class ProgramCredentialCell(_CredentialCell):
    """Pre-aggregated like YearCredentialCell, for the participants of one program."""

    program = _rollup_fk("pathways.ProgramOfStudy")

    def __str__(self) -> str:
        return f"credential {self.credential_id}, program {self.program_id}, year {self.school_year_id}"


class RollupState(models.Model):
    """When the pre-aggregated tables last changed (a rebuild or an incremental update): what is kept keyed on
    it is made again after any change. `signature` is no longer written (kept for the row's shape)."""

    signature = models.CharField(max_length=200)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Changed {self.refreshed_at:%Y-%m-%d %H:%M}"


class StudentYearSeal(models.Model):
    """Pre-aggregated: a student-year's seal status in one language, as the seal rules (pathways.seal) give it
    from what is on record by the end of that year, over the routes offered today (`scenario` null) or over
    those and one proposed route opened (`scenario`: that route; only the statuses it would improve).

    Rows are kept for earned (a seal awarded in this year), eligible and on track; a language on no route has
    none. Rewritten with the other student-year rows (reports.seal_rollups), so a board page never evaluates
    a student."""

    class Status(models.TextChoices):
        EARNED = "earned", "Earned"
        ELIGIBLE = "eligible", "Eligible"
        ON_TRACK = "on_track", "On track"

    student = _rollup_fk("students.Student")
    student_year = _rollup_fk(StudentYear)
    school_year = _rollup_fk("students.SchoolYear")
    school = _rollup_fk("students.School")
    grade = models.SmallIntegerField()
    concentrator = models.BooleanField()
    language = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices)
    # Earned: the route the award names; eligible or on track: the route the rules chose (see language_status).
    route = models.ForeignKey(
        "pathways.SealPathway", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    scenario = models.ForeignKey(
        "pathways.SealPathway", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    awarded_on = models.DateField(null=True)  # earned: the award's date, for year-to-date counts

    class Meta:
        indexes = [
            models.Index(fields=["school_year", "school"], name="student_year_seal_year_school"),
            models.Index(fields=["student"], name="student_year_seal_student"),
        ]

    def __str__(self) -> str:
        return f"student {self.student_id}, {self.language}: {self.status}"
