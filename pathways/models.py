"""Career clusters and pathways, programs of study, courses, completions and the seal routes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pathways.grades import GRADE_CHOICES, LETTER_GRADES
from students.dates import is_in_future


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
    """A student took a course in a school year; `passed`, the grade and credit hours say what it earned."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="course_completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    school_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="course_completions")
    passed = models.BooleanField(default=True)
    final_grade = models.CharField(
        max_length=5,
        blank=True,
        choices=GRADE_CHOICES,
        help_text="Letter grade, A+ to F (seal routes need C or better); a number is read by the district's scale.",
    )
    numeric_grade = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text="The grade as a number, 0 to 100."
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
            models.CheckConstraint(
                condition=Q(final_grade="") | Q(final_grade__in=LETTER_GRADES), name="completion_grade_on_letter_scale"
            ),
            models.CheckConstraint(
                condition=Q(numeric_grade__isnull=True) | (Q(numeric_grade__gte=0) & Q(numeric_grade__lte=100)),
                name="completion_numeric_grade_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(numeric_grade__isnull=True) | ~Q(final_grade=""),
                name="completion_numeric_grade_has_its_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course} ({self.school_year})"


class Assessment(models.Model):
    """A proficiency assessment a seal route may accept (AP, IB, a state or national world-language test), with
    its score scale: AP 1 to 5, IB 1 to 7, a STAMP-style level scale the district sets."""

    class Kind(models.TextChoices):
        AP = "ap", "AP exam"
        IB = "ib", "IB exam"
        LEVEL = "level", "World-language proficiency test (levels)"
        OTHER = "other", "Other"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    scale_min = models.PositiveSmallIntegerField("lowest score", default=1)
    scale_max = models.PositiveSmallIntegerField("highest score")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="assessment_scale_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def score_problem(self, score: int | None) -> str | None:
        """Why `score` cannot be a score of this assessment, or None."""
        if score is None:
            return "Give the score."
        if not self.scale_min <= score <= self.scale_max:
            return f"{self.name} scores run from {self.scale_min} to {self.scale_max}; {score} is outside the scale."
        return None


# Said alike on the route form, in the route service and in the course import's refusal.
NOT_A_WORLD_LANGUAGE = "{course} is not a course in a language other than English; English and ESL courses never count."
NEVER_COUNTS = {"english", "esl", "english as a second language", "ell"}


def counts_for_seal(course: Course) -> bool:
    """A course in a language other than English (English and ESL courses never count toward a seal)."""
    return course.is_world_language and course.language.strip().casefold() not in NEVER_COUNTS


class SealPathway(models.Model):
    """A route to the New Mexico Seal of Bilingualism-Biliteracy ("seal route" in the pages): configurable rules
    the evaluator (pathways.seal) reads. Offered routes decide eligibility; a proposed one feeds the what-if."""

    class Route(models.TextChoices):
        FOUR_COURSES = "four_courses", "Course sequence and an assessment or portfolio"
        TRIBAL_MOU = "tribal_mou", "Tribal language certified under an MOU"
        HERITAGE = "heritage", "District-approved heritage-speaker route"
        AP_IB_EXAM = "ap_ib_exam", "AP or IB exam"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        PROPOSED = "proposed", "Proposed"
        RETIRED = "retired", "Retired"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200, unique=True)
    route = models.CharField("kind", max_length=20, choices=Route.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    description = models.TextField(blank=True)
    languages = models.CharField(
        max_length=200, help_text="Languages this route serves, separated by commas (e.g. Spanish, Navajo)."
    )
    courses = models.ManyToManyField(
        Course, related_name="seal_routes", blank=True, help_text="Courses in the route's language that count."
    )
    units_required = models.PositiveSmallIntegerField(
        default=0, help_text="Units of credit from those courses (0 when the route needs none)."
    )
    minimum_course_grade = models.CharField(max_length=2, choices=GRADE_CHOICES, default="C")
    counts_passed_without_grade = models.BooleanField(
        default=False, help_text="A passed course with no grade on record counts toward the units."
    )
    accepts_portfolio = models.BooleanField(
        default=False, help_text="An approved portfolio may stand in for the assessment."
    )
    mou_partner = models.CharField(
        "MOU partner", max_length=200, blank=True, help_text="The tribe or nation certifying the language."
    )

    history = HistoricalRecords(m2m_fields=[courses])

    class Meta:
        ordering = ["name"]
        verbose_name = "seal route"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["offered", "proposed", "retired"]), name="seal_route_status_known"
            ),
            models.CheckConstraint(
                # A proposed tribal route may wait for its agreement; an offered or retired one names the partner.
                condition=~Q(route="tribal_mou") | Q(status="proposed") | ~Q(mou_partner=""),
                name="tribal_route_names_its_mou_partner",
            ),
            models.CheckConstraint(condition=~Q(languages=""), name="seal_route_names_a_language"),
            models.CheckConstraint(
                condition=Q(minimum_course_grade__in=LETTER_GRADES), name="seal_route_grade_on_letter_scale"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]

    def serves(self, language: str) -> bool:
        return language.casefold() in {lang.casefold() for lang in self.language_list}

    @property
    def needs_certification(self) -> bool:
        return self.route == self.Route.TRIBAL_MOU


class SealRouteAssessment(models.Model):
    """An assessment a route accepts, with the lowest score that meets it (AP 3, IB 4, STAMP level 5...)."""

    route = models.ForeignKey(SealPathway, on_delete=models.CASCADE, related_name="accepted")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="routes")
    minimum_score = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment__name"]
        constraints = [
            models.UniqueConstraint(fields=["route", "assessment"], name="assessment_once_per_seal_route"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.minimum_score}+"


class AssessmentResult(models.Model):
    """A student's score (or level) on a proficiency assessment in one language."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="assessment_results")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="results")
    language = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField(help_text="The score or level on the assessment's scale.")
    taken_on = models.DateField("date taken")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="assessment_results"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "assessment", "language", "taken_on"],
                name="one_assessment_result_per_day",
                violation_error_message="This student already has a result on this assessment, language and date.",
            ),
            models.CheckConstraint(condition=~Q(language=""), name="assessment_result_names_language"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.assessment} {self.language}: {self.score}"

    def clean(self) -> None:
        if self.taken_on and is_in_future(self.taken_on):
            raise ValidationError({"taken_on": "The date taken is in the future."})
        if self.assessment_id and self.score is not None:
            problem = self.assessment.score_problem(self.score)
            if problem:
                raise ValidationError({"score": problem})


class SealEvidence(models.Model):
    """A coordinator's record that a tribe certified a student's language (under the route's MOU) or that the
    district approved a student's portfolio: who and when."""

    class Kind(models.TextChoices):
        TRIBAL_CERTIFICATION = "tribal_certification", "Tribal language certification"
        PORTFOLIO = "portfolio", "Portfolio approval"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="seal_evidence")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    language = models.CharField(max_length=60)
    approved_on = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-approved_on"]
        verbose_name_plural = "seal evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["student", "kind", "language"],
                name="one_seal_evidence_per_kind_and_language",
                violation_error_message="This is already recorded for this student and language.",
            ),
            models.CheckConstraint(condition=~Q(language=""), name="seal_evidence_names_language"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.get_kind_display()} ({self.language})"


SEAL_ALREADY_AWARDED = "This student already has the seal in this language."


class SealAward(models.Model):
    """A student earned the seal in one language (one seal per language)."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="seal_awards")
    pathway = models.ForeignKey(SealPathway, on_delete=models.PROTECT, related_name="awards")
    language = models.CharField(max_length=60)
    awarded_on = models.DateField()
    school_year = models.ForeignKey("students.SchoolYear", on_delete=models.PROTECT, related_name="seal_awards")
    note = models.TextField(blank=True)
    # Why the seal was awarded though the route's requirements were not all met on record (blank when they were).
    exception_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-awarded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "language"],
                name="one_seal_per_student_per_language",
                violation_error_message=SEAL_ALREADY_AWARDED,
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.language} seal"

    def clean(self) -> None:
        if self.awarded_on and self.school_year_id and not self.school_year.contains(self.awarded_on):
            raise ValidationError({"awarded_on": f"This date is not in the {self.school_year} school year."})
