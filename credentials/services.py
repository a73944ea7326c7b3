"""Writes to the credential catalog and to awards."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from credentials.models import Credential, CredentialAward
from pathways.models import ProgramOfStudy
from students.models import SchoolYear, Student


def award_school_year(*, earned_on: date) -> SchoolYear:
    """The school year an award dated `earned_on` belongs to."""
    return SchoolYear.objects.for_date(earned_on)


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
    """Record one award; raises ValidationError (future date, duplicate) before writing anything."""
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
    award.save()
    return award


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
