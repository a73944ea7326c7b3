"""Career clusters and pathways, programs of study, courses, completions and the seal routes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class CareerCluster(models.Model):
    """A cluster of the career framework in use (reference data the district can replace)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    framework = models.CharField(max_length=100, blank=True, help_text="e.g. National Career Clusters Framework")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareerPathway(models.Model):
    cluster = models.ForeignKey(CareerCluster, on_delete=models.PROTECT, related_name="pathways")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["cluster__name", "name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    credits = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    is_cte = models.BooleanField("CTE", default=False)
    is_ap = models.BooleanField("AP", default=False)
    is_dual_credit = models.BooleanField("dual credit", default=False)
    is_world_language = models.BooleanField(
        "language other than English", default=False, help_text="Counts toward the Seal of Bilingualism-Biliteracy."
    )
    language = models.CharField(max_length=60, blank=True)
    college_credit_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_world_language=False) | ~Q(language=""), name="world_language_course_names_language"
            ),
            models.CheckConstraint(
                condition=Q(college_credit_hours__isnull=True) | Q(college_credit_hours__gte=0),
                name="course_college_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.is_world_language and not self.language:
            raise ValidationError({"language": "Name the language of a world-language course."})


class ProgramOfStudy(models.Model):
    """A district CTE program (Welding, Health Sciences...) with its ordered course sequence."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    pathway = models.ForeignKey(CareerPathway, on_delete=models.PROTECT, related_name="programs", null=True, blank=True)
    schools = models.ManyToManyField("students.School", related_name="programs", blank=True)
    courses = models.ManyToManyField(Course, through="ProgramCourse", related_name="programs")
    credentials = models.ManyToManyField(
        "credentials.Credential", related_name="programs", blank=True, help_text="Credentials the program prepares for."
    )
    concentrator_threshold = models.PositiveSmallIntegerField(
        default=2, help_text="Courses of the sequence a concentrator has completed (Perkins V: 2)."
    )
    completer_threshold = models.PositiveSmallIntegerField(
        default=4, help_text="Courses of the sequence a completer has completed."
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "programs of study"
        constraints = [
            models.CheckConstraint(
                condition=Q(concentrator_threshold__gte=1) & Q(completer_threshold__gte=F("concentrator_threshold")),
                name="program_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.concentrator_threshold and self.completer_threshold < self.concentrator_threshold:
            raise ValidationError(
                {"completer_threshold": "A completer needs at least as many courses as a concentrator."}
            )


class ProgramCourse(models.Model):
    """A course's place in a program's sequence; a course (AP Chemistry) may sit in several programs."""

    program = models.ForeignKey(ProgramOfStudy, on_delete=models.CASCADE, related_name="sequence")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="program_places")
    position = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "position"]
        constraints = [
            models.UniqueConstraint(fields=["program", "course"], name="course_once_per_program"),
            models.UniqueConstraint(fields=["program", "position"], name="one_course_per_program_position"),
        ]

    def __str__(self) -> str:
        return f"{self.program} #{self.position}: {self.course}"


class CourseCompletion(models.Model):
    """A student took a course in a school year; `passed` and credit hours say what it earned."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="course_completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    school_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="course_completions")
    passed = models.BooleanField(default=True)
    final_grade = models.CharField(
        max_length=5, blank=True, help_text="Letter grade, e.g. B+ (seal routes need C or better)."
    )
    college_credit_hours = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="course_completions"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["school_year", "course"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course", "school_year"], name="one_completion_per_course_per_year"
            ),
            models.CheckConstraint(condition=Q(college_credit_hours__gte=0), name="completion_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course} ({self.school_year})"


class SealPathway(models.Model):
    """A route to the New Mexico Seal of Bilingualism-Biliteracy the district offers (configurable rules)."""

    class Route(models.TextChoices):
        HERITAGE = "heritage", "Heritage language"
        FOUR_COURSES = "four_courses", "Four units in one language other than English"
        TRIBAL_MOU = "tribal_mou", "Tribal language (MOU with the tribe)"
        AP_IB_EXAM = "ap_ib_exam", "AP or IB exam"
        OTHER = "other", "Other"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    route = models.CharField(max_length=20, choices=Route.choices)
    description = models.TextField(blank=True)
    units_required = models.PositiveSmallIntegerField(
        default=0, help_text="Units of credit in one language other than English (0 when the route needs none)."
    )
    minimum_course_grade = models.CharField(max_length=2, blank=True, default="C")
    assessment = models.CharField(
        max_length=200, blank=True, help_text="Proficiency evidence the route needs, e.g. AP 3+, IB 4+, STAMP 4S."
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages this route covers, separated by commas (blank: any)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SealAward(models.Model):
    """A student earned the seal in one language (one seal per language)."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="seal_awards")
    pathway = models.ForeignKey(SealPathway, on_delete=models.PROTECT, related_name="awards")
    language = models.CharField(max_length=60)
    awarded_on = models.DateField()
    school_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="seal_awards")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-awarded_on"]
        constraints = [
            models.UniqueConstraint(fields=["student", "language"], name="one_seal_per_student_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.language} seal"

    def clean(self) -> None:
        if self.awarded_on and self.school_year_id and not self.school_year.contains(self.awarded_on):
            raise ValidationError({"awarded_on": f"This date is not in the {self.school_year} school year."})
