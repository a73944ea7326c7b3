"""Credential awards: one row per credential a student earned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from credentials.models import Credential, CredentialAlias, CredentialAward
from imports.bulk import insert_history, insert_rows
from imports.columns import Column, DateColumn, LookupColumn, Row, StudentIdColumn, TextColumn
from imports.importers.base import (
    Counts,
    Importer,
    Plan,
    chunked,
    code_or_name_lookup,
    merge_optional,
    students_matching,
)
from imports.models import ImportBatch
from pathways.models import ProgramOfStudy
from reports.services import rollups_update
from students.models import school_year_start_for


class EarnedOnColumn(DateColumn):
    """The date earned, which may not be before the student's birth date either."""

    def read(self, text: str, row: Row) -> date:
        earned = super().read(text, row)
        born = row.importer.born.get(row.values["student_id"])
        if born is not None and earned < born:
            raise ValueError(
                f"the date earned {earned.isoformat()} is before the student's birth date {born.isoformat()}"
            )
        return earned


def credential_lookup() -> dict[str, int]:
    """Lower-cased code, name or alias -> credential pk; a code wins over a name, a name over an alias."""
    lookup = code_or_name_lookup(Credential.objects.all())
    for pk, alias in CredentialAlias.objects.values_list("credential_id", "alias"):
        lookup.setdefault(alias.strip().casefold(), pk)
    return lookup


class CredentialColumn(LookupColumn):
    def clean(self, text: str, row: Row) -> int:
        pk = super().clean(text.strip(), row)  # a catalog entry is named without surrounding spaces
        if pk in row.importer.lookups["seals"]:
            raise ValueError(
                f"'{text.strip()}' is a seal, not an industry credential: seals are awarded from the seal section "
                "of the student's page and never count among credential earners"
            )
        return pk


@dataclass(slots=True)
class AwardRow:
    row: int
    student_pk: int
    credential_pk: int
    earned_on: date
    certificate_number: str
    program_pk: int | None
    note: str


class AwardValues(NamedTuple):
    """A new award as the import writes it (and its history records it)."""

    earned_on: date
    certificate_number: str
    note: str
    student_id: int
    credential_id: int
    school_year_id: int
    program_id: int | None


@dataclass(frozen=True)
class AwardChange:
    pk: int
    certificate_number: str
    program_pk: int | None
    note: str


@dataclass
class AwardPlan(Plan):
    changed: list[AwardChange] = field(default_factory=list)


# The optional columns two rows of one award may each give, as the messages name them.
AWARD_DETAILS = {"certificate_number": "certificate number", "program": "program", "note": "note"}


class AwardImporter(Importer):
    kind = ImportBatch.Kind.CREDENTIALS
    plan: AwardPlan
    plan_type = AwardPlan
    columns = (
        StudentIdColumn(existing=True),
        CredentialColumn(
            "credential",
            "Credential",
            "Credential",
            "Certification",
            "credential_code",
            required=True,
            blank="the credential is blank",
            lookup="credentials",
            unknown="'{text}' is not in the catalog",
        ),
        EarnedOnColumn(
            "earned_on",
            "Date earned",
            "Date Earned",
            "Date",
            "earned_date",
            required=True,
            blank="the date earned is blank",
            earliest=date(1990, 1, 1),
            too_early="{day} is before 1990",
        ),
        TextColumn(
            "certificate_number", "Certificate number", "Certificate #", "Certificate No", model=CredentialAward
        ),
        LookupColumn(
            "program",
            "Program",
            "Program of Study",
            lookup="programs",
            unknown="'{text}' is not a program of study",
            model=CredentialAward,
        ),
        Column("note", "Note", "Notes", "Comment"),
    )

    def check_rows(self) -> None:
        parsed = list(self.rows())
        students = self.lookups["students"] = self.student_matches()
        self.born: dict[int, date] = {}
        matched = (m.local_id for m in students.values() if m.pk is not None)
        for _local_id, pk, birth_date in students_matching(matched, "local_id", "pk", "birth_date"):
            if birth_date is not None:
                self.born[pk] = birth_date
        self.lookups["credentials"] = credential_lookup()
        self.lookups["seals"] = set(
            Credential.objects.filter(kind=Credential.Kind.STATE_SEAL).values_list("pk", flat=True)
        )
        self.lookups["programs"] = code_or_name_lookup(ProgramOfStudy.objects.all())
        seen: dict[tuple[int, int, date], AwardRow] = {}
        records: list[AwardRow] = []
        for number, texts in parsed:
            v = self.clean(number, texts)
            if number in self.plan.rejected:
                continue
            record = AwardRow(
                row=number,
                student_pk=v["student_id"],
                credential_pk=v["credential"],
                earned_on=v["earned_on"],
                certificate_number=v["certificate_number"],
                program_pk=v["program"],
                note=v["note"],
            )
            key = (record.student_pk, record.credential_pk, record.earned_on)
            first = seen.get(key)
            if first is None:
                seen[key] = record
                records.append(record)
                continue
            # The same award listed again: a blank optional cell means "not given", so the filled one wins.
            merged, clash = merge_optional(
                [
                    ("certificate_number", first.certificate_number, record.certificate_number),
                    ("program", first.program_pk, record.program_pk),
                    ("note", first.note, record.note),
                ]
            )
            if clash:
                self.error(
                    number, clash, f"the same award is on row {first.row} with a different {AWARD_DETAILS[clash]}"
                )
            else:
                first.certificate_number, first.program_pk, first.note = merged
                self.plan.duplicate_rows += 1
        self._diff(records)

    def _diff(self, records: list[AwardRow]) -> None:
        existing: dict[tuple[int, int, date], tuple] = {}
        student_pks = sorted({r.student_pk for r in records})
        for part in chunked(student_pks):
            for row in CredentialAward.objects.filter(student_id__in=part).values_list(
                "student_id", "credential_id", "earned_on", "pk", "certificate_number", "program_id", "note"
            ):
                existing[row[:3]] = row[3:]
        new, changed = [], []
        for r in records:
            old = existing.get((r.student_pk, r.credential_pk, r.earned_on))
            if old is None:
                new.append(r)
                continue
            # A blank cell never wipes what is recorded; a filled one that differs updates it.
            wanted = (r.certificate_number or old[1], r.program_pk or old[2], r.note or old[3])
            if wanted != tuple(old[1:]):
                changed.append(AwardChange(old[0], *wanted))
            else:
                self.plan.counts.unchanged += 1
        self.plan.counts.created = len(new)
        self.plan.counts.updated = len(changed)
        self.plan.records = new
        self.plan.changed = changed

    @transaction.atomic
    def write(self, *, batch: ImportBatch, user: AbstractBaseUser | None) -> Counts:
        records: list[AwardRow] = self.plan.records
        starts = {school_year_start_for(r.earned_on) for r in records}
        years = self.school_years(starts)
        now = timezone.now()
        user_id = user.pk if user else None
        rows = [
            AwardValues(
                r.earned_on,
                r.certificate_number,
                r.note,
                r.student_pk,
                r.credential_pk,
                years[school_year_start_for(r.earned_on)].pk,
                r.program_pk,
            )
            for r in records
        ]
        shared = {
            "recorded_at": now,
            "source": CredentialAward.Source.IMPORT,
            "recorded_by_id": user_id,
            "import_batch_id": batch.pk,
        }
        insert_rows(model=CredentialAward, rows=rows, extra=shared)
        if rows and self.options.get("history", True):
            made = {
                (s, c, d): pk
                for pk, s, c, d in CredentialAward.objects.filter(import_batch=batch).values_list(
                    "pk", "student_id", "credential_id", "earned_on"
                )
            }
            insert_history(
                model=CredentialAward,
                rows=rows,
                pks=[made[(row.student_id, row.credential_id, row.earned_on)] for row in rows],
                extra=shared,
                history_type="+",
                when=now,
                user_id=user_id,
                reason=f"Import batch {batch.pk}",
            )
        if self.plan.changed:
            by_pk = {c.pk: c for c in self.plan.changed}
            objs = list(CredentialAward.objects.filter(pk__in=by_pk))
            for award in objs:
                change = by_pk[award.pk]
                award.certificate_number, award.program_id, award.note = (
                    change.certificate_number,
                    change.program_pk,
                    change.note,
                )
            CredentialAward.objects.bulk_update(objs, ["certificate_number", "program", "note"], batch_size=500)
            self.history(CredentialAward, objs, update=True, user=user, batch=batch)
        # The dashboard's tables, in this transaction. A changed award keeps its student, credential and date
        # (only its certificate number, program or note change), so only the new awards' students count.
        rollups_update(student_ids={row.student_id for row in rows})
        return self.plan.counts
