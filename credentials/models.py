"""The credential catalog and the awards students earn."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from students.dates import FUTURE_EARNED_ON, is_in_future


class Credential(models.Model):
    """An entry in the catalog: an industry certification, college certificate, degree or seal."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", "Industry certification"
        COLLEGE_CERT_1 = "college_cert_1", "College certificate, level 1"
        COLLEGE_CERT_2 = "college_cert_2", "College certificate, level 2"
        ASSOCIATE = "associate", "Associate degree"
        STATE_SEAL = "state_seal", "State seal"
        OTHER = "other", "Other"

    code = models.CharField(
        max_length=40, unique=True, help_text="Short code, e.g. OSHA10; the state's code when it has one."
    )
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDUSTRY)
    cluster = models.ForeignKey(
        "pathways.CareerCluster", on_delete=models.SET_NULL, null=True, blank=True, related_name="credentials"
    )
    state_recognized = models.BooleanField(default=False, help_text="On the state's list of recognised credentials.")
    counts_for_perkins = models.BooleanField(
        "Perkins 5S1", default=False, help_text="A recognized postsecondary credential for Perkins V indicator 5S1."
    )
    counts_for_district_goal = models.BooleanField(default=True, help_text="Counts toward the district's own goals.")
    active = models.BooleanField(default=True, help_text="Inactive credentials keep their awards but are not offered.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="credential_code_unique_ignoring_case"),
            models.CheckConstraint(condition=~Q(code=""), name="credential_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CredentialAlias(models.Model):
    """Another spelling of a credential that imports and search recognise ('OSHA 10-Hour')."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=200)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "credential aliases"
        constraints = [models.UniqueConstraint(Lower("alias"), name="credential_alias_unique_ignoring_case")]

    def __str__(self) -> str:
        return self.alias


# Said wherever a seal-kind catalog entry is refused as an award: the form, the testing session and the import.
SEAL_IS_NOT_A_CREDENTIAL = (
    "A seal is not an industry credential and never counts among credential earners: award the Seal of "
    "Bilingualism-Biliteracy from the seal section of the student's page."
)


# Said alike when a form finds the award already there and when the database refuses a second copy
# saved at the same moment by someone else.
ALREADY_RECORDED = "This student already has this credential on this date."


class CredentialAwardQuerySet(models.QuerySet):
    def in_school_year(self, school_year) -> CredentialAwardQuerySet:
        # By id, so a year not on record yet (SchoolYear.by_rule, unsaved) simply has no awards.
        return self.filter(school_year_id=school_year.pk)


class CredentialAward(models.Model):
    """One student earned one credential on one date; a renewal on a later date is another award."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        IMPORT = "import", "Imported"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="awards")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="awards")
    earned_on = models.DateField("date earned")
    # Derived from earned_on by the services; never typed.
    school_year = models.ForeignKey(
        "students.SchoolYear", on_delete=models.PROTECT, related_name="awards", editable=False
    )
    program = models.ForeignKey(
        "pathways.ProgramOfStudy", on_delete=models.SET_NULL, null=True, blank=True, related_name="awards"
    )
    certificate_number = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL, editable=False)
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="awards", editable=False
    )

    history = HistoricalRecords()
    objects = CredentialAwardQuerySet.as_manager()

    class Meta:
        ordering = ["-earned_on", "credential__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "credential", "earned_on"],
                name="one_award_per_student_credential_date",
                violation_error_message=ALREADY_RECORDED,
            ),
        ]
        indexes = [
            models.Index(fields=["school_year", "student"]),
            models.Index(fields=["credential", "school_year"]),
            # "Recent entries" on every counselor's and coordinator's landing page: the newest ten recorded,
            # read backwards from this index instead of sorting every award (1.5 s at 300,000 awards).
            models.Index(fields=["recorded_at"], name="award_recorded_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.credential.name} ({self.earned_on:%Y-%m-%d})"

    def clean(self) -> None:
        if self.credential_id and self.credential.kind == Credential.Kind.STATE_SEAL:
            raise ValidationError({"credential": SEAL_IS_NOT_A_CREDENTIAL})
        if self.earned_on and is_in_future(self.earned_on):
            raise ValidationError({"earned_on": FUTURE_EARNED_ON})
        if self.earned_on and self.school_year_id and not self.school_year.contains(self.earned_on):
            raise ValidationError({"earned_on": f"This date is not in the {self.school_year} school year."})
