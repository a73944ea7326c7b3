"""Writes to the credential catalog and to awards."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from common.changes import report_sources_changed
from credentials.models import (
    ALREADY_RECORDED,
    SEAL_IS_NOT_A_CREDENTIAL,
    Credential,
    CredentialAlias,
    CredentialAward,
)
from pathways.models import ProgramOfStudy
from students.dates import FUTURE_EARNED_ON, is_in_future
from students.models import SchoolYear, Student
from students.services import school_year_for_date_ensure


def award_school_year(*, earned_on: date) -> SchoolYear:
    """The school year an award dated `earned_on` belongs to, recorded if it is the first thing in it."""
    return school_year_for_date_ensure(day=earned_on)


class AwardAlreadyRecorded(ValidationError):
    """The student already has this credential on this date: saved by someone else at the same moment."""


@contextmanager
def _refusing_duplicate_awards(awards: list[CredentialAward]) -> Iterator[None]:
    """Write `awards` inside a savepoint. When the database refuses them because one of them (same
    student, credential and date) was committed by another request since they were checked, raise
    AwardAlreadyRecorded instead of a server error; the caller's transaction survives the refusal.

    The one place a conflict between two people saving the same award is caught: a form's check runs
    before the insert and cannot see a row another transaction has not committed yet.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        keys = Q()
        for a in awards:
            keys |= Q(student_id=a.student_id, credential_id=a.credential_id, earned_on=a.earned_on)
        others = CredentialAward.objects.filter(keys).exclude(pk__in=[a.pk for a in awards if a.pk])
        if not others.exists():
            raise  # another constraint: a real error, not a duplicate
        raise AwardAlreadyRecorded(ALREADY_RECORDED, code="already_recorded") from None


@transaction.atomic
def awards_insert(
    *, awards: list[CredentialAward], recorded_by: AbstractBaseUser | None, change_reason: str | None = None
) -> list[CredentialAward]:
    """Insert checked, unsaved awards with their history rows, in one statement each; AwardAlreadyRecorded
    (nothing written) when one of them was recorded by someone else at the same moment."""
    with _refusing_duplicate_awards(awards):
        created = bulk_create_with_history(
            awards, CredentialAward, default_user=recorded_by, default_change_reason=change_reason
        )
    report_sources_changed(student_ids={a.student_id for a in awards})
    return created


@transaction.atomic
def award_create(
    *,
    student: Student,
    credential: Credential,
    earned_on: date,
    recorded_by: AbstractBaseUser | None,
    program: ProgramOfStudy | None = None,
    certificate_number: str = "",
    note: str = "",
) -> CredentialAward:
    """Record one award; raises ValidationError (future date, duplicate, including one saved by someone
    else at the same moment) and writes nothing."""
    award = CredentialAward(
        student=student,
        credential=credential,
        earned_on=earned_on,
        school_year=award_school_year(earned_on=earned_on),
        program=program,
        certificate_number=certificate_number.strip(),
        note=note.strip(),
        recorded_by=recorded_by,
        source=CredentialAward.Source.MANUAL,
    )
    award.full_clean()
    return awards_insert(awards=[award], recorded_by=recorded_by)[0]


@transaction.atomic
def catalog_load_starter() -> int:
    """Add the starter catalog's credentials and aliases that are missing; never overwrites edits.

    Returns how many credentials and aliases it created.
    """
    from credentials.models import CredentialAlias
    from credentials.reference import STARTER_CATALOG
    from pathways.models import CareerCluster

    clusters = {c.code: c for c in CareerCluster.objects.all()}
    taken_aliases = {a.lower() for a in CredentialAlias.objects.values_list("alias", flat=True)}
    created = 0
    for code, name, issuer, kind, cluster_code, state, perkins, aliases in STARTER_CATALOG:
        credential, made = Credential.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "issuer": issuer,
                "kind": kind,
                "cluster": clusters.get(cluster_code),
                "state_recognized": state,
                "counts_for_perkins": perkins,
            },
        )
        created += made
        for alias in aliases:
            if alias.lower() not in taken_aliases:
                CredentialAlias.objects.create(credential=credential, alias=alias)
                taken_aliases.add(alias.lower())
                created += 1
    return created


def _reason(reason: str, *, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why you are {action} this award; the history keeps it."})
    return reason[:100]


@transaction.atomic
def award_update(
    *,
    award: CredentialAward,
    reason: str,
    changed_by: AbstractBaseUser | None,
    credential: Credential,
    earned_on: date,
    program: ProgramOfStudy | None = None,
    certificate_number: str = "",
    note: str = "",
) -> CredentialAward:
    """Change an award; the history keeps the old values with `reason`. ValidationError before writing."""
    reason = _reason(reason, action="changing")
    award.credential = credential
    award.earned_on = earned_on
    award.school_year = award_school_year(earned_on=earned_on)
    award.program = program
    award.certificate_number = certificate_number.strip()
    award.note = note.strip()
    award.full_clean()
    award._change_reason = reason
    if changed_by is not None:
        award._history_user = changed_by
    with _refusing_duplicate_awards([award]):
        award.save()
    report_sources_changed(student_ids=[award.student_id])
    return award


@transaction.atomic
def award_delete(*, award: CredentialAward, reason: str, deleted_by: AbstractBaseUser | None) -> None:
    """Delete an award; its history keeps every value and `reason`."""
    award._change_reason = _reason(reason, action="deleting")
    if deleted_by is not None:
        award._history_user = deleted_by
    student_id = award.student_id
    award.delete()
    report_sources_changed(student_ids=[student_id])


@dataclass
class TestingSessionResult:
    created: list[CredentialAward] = field(default_factory=list)
    # Students who already had this credential on this date: nothing written for them.
    already_awarded: list[Student] = field(default_factory=list)


@transaction.atomic
def awards_create_for_session(
    *,
    credential: Credential,
    earned_on: date,
    students: Iterable[Student],
    recorded_by: AbstractBaseUser | None,
    program: ProgramOfStudy | None = None,
    note: str = "",
) -> TestingSessionResult:
    """Record one credential on one date for many students (a testing session), all or nothing.

    Students who already have this credential on this date are skipped and reported, never duplicated.
    Raises ValidationError (future date, inactive credential, no students) before writing anything.
    """
    if is_in_future(earned_on):
        raise ValidationError({"earned_on": FUTURE_EARNED_ON})
    if not credential.active:
        raise ValidationError({"credential": f"{credential.name} is no longer offered; pick another credential."})
    if credential.kind == Credential.Kind.STATE_SEAL:
        raise ValidationError({"credential": SEAL_IS_NOT_A_CREDENTIAL})
    students = list({s.pk: s for s in students}.values())
    if not students:
        raise ValidationError("Pick at least one student.")
    record = {
        "credential": credential,
        "earned_on": earned_on,
        "school_year": award_school_year(earned_on=earned_on),
        "program": program,
        "note": note.strip(),
        "recorded_by": recorded_by,
        "source": CredentialAward.Source.MANUAL,
    }
    try:
        return _session_record(students=students, **record)
    except AwardAlreadyRecorded:
        # The same session (or one of its awards) was saved by someone else at this very moment: look
        # again at who has it now and save the rest; a third writer at once gets the plain refusal.
        return _session_record(students=students, **record)


def _session_record(
    *, students: list[Student], credential: Credential, earned_on: date, **values
) -> TestingSessionResult:
    taken = set(
        CredentialAward.objects.filter(
            credential=credential, earned_on=earned_on, student__in=[s.pk for s in students]
        ).values_list("student_id", flat=True)
    )
    result = TestingSessionResult(already_awarded=[s for s in students if s.pk in taken])
    awards = [
        CredentialAward(student=s, credential=credential, earned_on=earned_on, **values)
        for s in students
        if s.pk not in taken
    ]
    if awards:
        result.created = awards_insert(
            awards=awards, recorded_by=values["recorded_by"], change_reason="Testing session"
        )
    return result


def _alias_clean(text: str) -> str:
    return " ".join(text.split())[:200]


@transaction.atomic
def credential_save(*, credential: Credential, aliases: Iterable[str]) -> Credential:
    """Save a catalog entry and make `aliases` its aliases, all or nothing; ValidationError (nothing saved)
    when a value is invalid or an alias belongs to another credential."""
    credential.full_clean()
    credential.save()
    credential_set_aliases(credential=credential, aliases=aliases)
    return credential


def credential_set_active(*, credential: Credential, active: bool) -> Credential:
    """Offer a credential again, or stop offering it; its awards stay either way."""
    credential.active = active
    credential.save(update_fields=["active"])
    return credential


@transaction.atomic
def credential_set_aliases(*, credential: Credential, aliases: Iterable[str]) -> None:
    """Make `aliases` the credential's aliases; ValidationError when one belongs to another credential."""
    wanted: dict[str, str] = {}
    for alias in aliases:
        cleaned = _alias_clean(alias)
        if cleaned:
            wanted.setdefault(cleaned.lower(), cleaned)
    clashes = (
        CredentialAlias.objects.exclude(credential=credential)
        .annotate(lowered=Lower("alias"))
        .filter(lowered__in=list(wanted))
    )
    clash_list = [
        f"'{a.alias}' (already an alias of {a.credential.code})" for a in clashes.select_related("credential")
    ]
    if clash_list:
        raise ValidationError({"aliases": "These aliases belong to another credential: " + ", ".join(clash_list)})
    current = {a.alias.lower(): a for a in credential.aliases.all()}
    for key, alias in current.items():
        if key not in wanted:
            alias.delete()
    for key, text in wanted.items():
        if key not in current:
            CredentialAlias.objects.create(credential=credential, alias=text)
        elif current[key].alias != text:
            current[key].alias = text
            current[key].save(update_fields=["alias"])


@dataclass
class MergeResult:
    awards_moved: int = 0
    # Awards of the merged credential for a student who already had the kept one on the same date.
    duplicates_combined: int = 0
    aliases_added: list[str] = field(default_factory=list)


@transaction.atomic
def credential_merge(*, keep: Credential, merge: Credential, merged_by: AbstractBaseUser | None) -> MergeResult:
    """Fold `merge` into `keep`: its awards move, its aliases, code and name become aliases of `keep`,
    its programs point at `keep`, then it is deleted (its history stays).

    When a student has both credentials on the same date, the merged award is deleted (history keeps it)
    and its certificate number and note are copied onto the kept award where that one has none, so
    nothing typed is lost.
    """
    if keep.pk == merge.pk:
        raise ValidationError("Pick two different credentials to merge.")
    reason = f"Merged {merge.code} into {keep.code}"
    result = MergeResult()
    students = set(merge.awards.values_list("student_id", flat=True))
    kept_awards = {
        (a.student_id, a.earned_on): a
        for a in CredentialAward.objects.filter(credential=keep, student_id__in=merge.awards.values("student_id"))
    }
    for award in merge.awards.select_for_update().order_by("pk"):
        twin = kept_awards.get((award.student_id, award.earned_on))
        if twin is None:
            award.credential = keep
            award._change_reason = reason
            award._history_user = merged_by
            award.save(update_fields=["credential"])
            result.awards_moved += 1
            continue
        changed = False
        if award.certificate_number and not twin.certificate_number:
            twin.certificate_number = award.certificate_number
            changed = True
        if award.note and award.note not in twin.note:
            twin.note = f"{twin.note}\n{award.note}".strip()
            changed = True
        if award.program_id and not twin.program_id:
            twin.program_id = award.program_id
            changed = True
        if changed:
            twin._change_reason = reason
            twin._history_user = merged_by
            twin.save()
        award._change_reason = f"{reason}: same student and date as award {twin.pk}"
        award._history_user = merged_by
        award.delete()
        result.duplicates_combined += 1

    taken = {a.lower() for a in CredentialAlias.objects.values_list("alias", flat=True)}
    taken |= {keep.code.lower(), keep.name.lower()}
    merge.aliases.update(credential=keep)
    for text in (merge.code, merge.name):
        if text.lower() not in taken:
            CredentialAlias.objects.create(credential=keep, alias=text)
            taken.add(text.lower())
            result.aliases_added.append(text)
    for program in merge.programs.all():
        program.credentials.add(keep)
    merge._change_reason = reason
    merge._history_user = merged_by
    merge.delete()
    report_sources_changed(student_ids=students)
    return result
