"""Assessment results: one row per score a student earned on a proficiency assessment in one language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from imports.columns import Column, DateColumn, LookupColumn, Row, StudentIdColumn, TextColumn
from imports.importers.base import WRITE_BATCH, Counts, Importer, Plan, chunked, code_or_name_lookup
from imports.models import ImportBatch
from pathways.models import Assessment, AssessmentResult
from pathways.selectors import language_spellings
from reports.services import rollups_update


class ScoreColumn(Column):
    """A whole-number score or level on the row's assessment's scale (AP 1-5, IB 1-7, the district's levels)."""

    def read(self, text: str, row: Row) -> int:
        cleaned = text.strip()
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        if not cleaned.lstrip("-").isdigit():
            raise ValueError(f"'{text}' is not a score (a whole number)")
        score = int(cleaned)
        if score < 0:
            raise ValueError(f"'{text}' is below zero")
        scale = row.importer.lookups["scales"].get(row.values.get("assessment"))
        if scale is not None and not scale[0] <= score <= scale[1]:
            raise ValueError(f"{score} is outside the assessment's scale ({scale[0]} to {scale[1]})")
        return score

    def compare(self, text: str) -> str:
        return text.strip().removesuffix(".0")


@dataclass(slots=True)
class AssessmentRow:
    row: int
    student_pk: int
    assessment_pk: int
    language: str
    taken_on: date
    score: int

    @property
    def key(self) -> tuple[int, int, str, date]:
        return (self.student_pk, self.assessment_pk, self.language.casefold(), self.taken_on)


@dataclass
class AssessmentPlan(Plan):
    created_keys: set[tuple] = field(default_factory=set)


class AssessmentImporter(Importer):
    kind = ImportBatch.Kind.ASSESSMENTS
    plan: AssessmentPlan
    plan_type = AssessmentPlan
    columns = (
        StudentIdColumn(existing=True),
        LookupColumn(
            "assessment",
            "Assessment",
            "Test",
            "Exam",
            "Assessment Code",
            required=True,
            blank="the assessment is blank",
            lookup="assessments",
            unknown="'{text}' is not an assessment in the catalog",
        ),
        TextColumn(
            "language",
            "Language",
            "Test Language",
            required=True,
            blank="the language is blank",
            model=AssessmentResult,
        ),  # fmt: skip
        ScoreColumn("score", "Score", "Scale Score", "Level", required=True, blank="the score is blank"),
        DateColumn(
            "taken_on",
            "Date taken",
            "date",
            "Test Date",
            required=True,
            blank="the date is blank",
            earliest=date(1990, 1, 1),
            too_early="{day} is before 1990",
        ),
    )

    def check_rows(self) -> None:
        parsed = list(self.rows())
        self.lookups["students"] = self.student_matches()
        self.lookups["assessments"] = code_or_name_lookup(Assessment.objects.all())
        self.lookups["scales"] = {
            pk: (low, high) for pk, low, high in Assessment.objects.values_list("pk", "scale_min", "scale_max")
        }
        spellings = language_spellings()  # "spanish" is stored as the district writes it, "Spanish"
        seen: dict[tuple, AssessmentRow] = {}
        for number, texts in parsed:
            v = self.clean(number, texts)
            if number in self.plan.rejected:
                continue
            language = spellings.get(v["language"].strip().casefold(), v["language"].strip())
            record = AssessmentRow(number, v["student_id"], v["assessment"], language, v["taken_on"], v["score"])
            first = seen.get(record.key)
            if first is None:
                seen[record.key] = record
            elif first.score == record.score:
                self.plan.duplicate_rows += 1
            else:
                self.error(number, "score", f"the same result is on row {first.row} with score {first.score}")
        records = list(seen.values())
        existing = {}
        for part in chunked(sorted({r.student_pk for r in records})):
            for s, a, language, day, score in AssessmentResult.objects.filter(student_id__in=part).values_list(
                "student_id", "assessment_id", "language", "taken_on", "score"
            ):
                existing[(s, a, language.casefold(), day)] = (language, score)
        keep = self.changes_only(records, existing, lambda r, old: old[1] != r.score)
        for r in keep:
            if r.key in existing:
                r.language = existing[r.key][0]  # the result on record keeps its spelling of the language
        self.plan.records = keep

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[AssessmentRow] = self.plan.records
        AssessmentResult.objects.bulk_create(
            [
                AssessmentResult(
                    student_id=r.student_pk,
                    assessment_id=r.assessment_pk,
                    language=r.language,
                    score=r.score,
                    taken_on=r.taken_on,
                    recorded_by=user,
                    import_batch=batch,
                )
                for r in records
            ],
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["student", "assessment", "language", "taken_on"],
            update_fields=["score", "import_batch"],
        )
        created, changed = [], []
        for result in AssessmentResult.objects.filter(import_batch=batch):
            key = (result.student_id, result.assessment_id, result.language.casefold(), result.taken_on)
            (created if key in self.plan.created_keys else changed).append(result)
        self.history(AssessmentResult, created, update=False, user=user, batch=batch)
        self.history(AssessmentResult, changed, update=True, user=user, batch=batch)
        rollups_update(student_ids={r.student_pk for r in records})
        return self.plan.counts
