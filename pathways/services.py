"""Writes to career clusters, programs and courses, and to the seal: routes, assessment results, tribal
certifications and portfolio approvals, seal awards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.changes import report_sources_changed
from pathways.models import (
    NOT_A_WORLD_LANGUAGE,
    SEAL_ALREADY_AWARDED,
    Assessment,
    AssessmentResult,
    CareerCluster,
    CareerPathway,
    Course,
    SealAward,
    SealEvidence,
    SealPathway,
    SealRouteAssessment,
    counts_for_seal,
)
from pathways.reference.national_clusters import CLUSTERS, FRAMEWORK, pathway_code
from pathways.seal import route_progress
from pathways.selectors import language_spellings, seal_facts, seal_route_rule
from students.dates import is_in_future
from students.models import Student
from students.services import school_year_for_date_ensure


@transaction.atomic
def career_framework_load() -> int:
    """Load the national clusters and pathways that are missing; returns how many rows it created."""
    created = 0
    for cluster_code, cluster_name, pathway_names in CLUSTERS:
        cluster, made = CareerCluster.objects.get_or_create(
            code=cluster_code, defaults={"name": cluster_name, "framework": FRAMEWORK}
        )
        created += made
        for position, name in enumerate(pathway_names, start=1):
            _, made = CareerPathway.objects.get_or_create(
                code=pathway_code(cluster_code, position), defaults={"name": name, "cluster": cluster}
            )
            created += made
    return created


def seal_route_problems(
    *, route: SealPathway, courses: list[Course], accepted: list[tuple[Assessment, int]]
) -> dict[str, list[str]]:
    """What is wrong with a seal route with these courses and accepted (assessment, minimum score) pairs, by
    field ("courses", "accepted", "units_required", "languages", "mou_partner", None for the whole route)."""
    problems: dict[str, list[str]] = {}

    def add(name, message):
        problems.setdefault(name, []).append(message)

    languages = route.language_list
    for course in courses:
        if not counts_for_seal(course):
            add("courses", NOT_A_WORLD_LANGUAGE.format(course=course))
        elif languages and not route.serves(course.language):
            add("courses", f"{course} is a {course.language} course; this route serves {', '.join(languages)}.")
    if route.units_required and not courses:
        add("courses", "Choose the courses that count toward the units.")
    if courses and not route.units_required:
        add("units_required", "Say how many units of those courses the route needs.")
    held = sum((c.credits for c in courses), 0)
    if courses and route.units_required > held:
        add("units_required", f"The chosen courses hold {held:g} units; a route cannot ask for {route.units_required}.")
    for assessment, minimum in accepted:
        problem = assessment.score_problem(minimum)
        if problem:
            add("accepted", f"Minimum score: {problem}")
    needs_certification = route.route == SealPathway.Route.TRIBAL_MOU
    if not courses and not accepted and not route.accepts_portfolio and not needs_certification:
        add(None, "A route needs courses with units, an accepted assessment or a portfolio: this one asks for nothing.")
    if route.route == SealPathway.Route.FOUR_COURSES and not (accepted or route.accepts_portfolio):
        add("accepted", "A course-sequence route needs an accepted assessment or a portfolio.")
    if route.route == SealPathway.Route.AP_IB_EXAM and not any(
        a.kind in (Assessment.Kind.AP, Assessment.Kind.IB) for a, _ in accepted
    ):
        add("accepted", "An AP or IB route accepts at least one AP or IB exam.")
    if needs_certification and route.status != SealPathway.Status.PROPOSED and not route.mou_partner.strip():
        add("mou_partner", "Name the tribe or nation the MOU is with before the route is offered.")
    if not languages:
        add("languages", "Name the language(s) the route serves.")
    return problems


@transaction.atomic
def seal_route_save(
    *,
    route: SealPathway,
    courses: list[Course],
    accepted: list[tuple[Assessment, int]],
    changed_by: AbstractBaseUser | None,
) -> SealPathway:
    """Create or change a seal route with its courses and accepted assessments; ValidationError (nothing
    written) when the route would be wrong (seal_route_problems). Every change is in the route's history."""
    problems = seal_route_problems(route=route, courses=courses, accepted=accepted)
    if problems:
        raise ValidationError({k or "__all__": v for k, v in problems.items()})
    route.full_clean()
    route._history_user = changed_by
    route.save()
    route.courses.set(courses)
    kept = {a.pk: minimum for a, minimum in accepted}
    for row in route.accepted.all():
        if row.assessment_id not in kept:
            row._history_user = changed_by
            row.delete()
        elif row.minimum_score != kept[row.assessment_id]:
            row.minimum_score = kept.pop(row.assessment_id)
            row._history_user = changed_by
            row.save()
        else:
            kept.pop(row.assessment_id)
    for assessment_id, minimum in kept.items():
        row = SealRouteAssessment(route=route, assessment_id=assessment_id, minimum_score=minimum)
        row._history_user = changed_by
        row.save()
    report_sources_changed(student_ids=None)  # what every student's seal status reads
    return route


@transaction.atomic
def seal_route_retire(*, route: SealPathway, changed_by: AbstractBaseUser | None) -> SealPathway:
    """Stop offering a route: its awards keep naming it; nobody is eligible by it any more."""
    route.status = SealPathway.Status.RETIRED
    route._history_user = changed_by
    route.save(update_fields=["status"])
    report_sources_changed(student_ids=None)
    return route


class SealAlreadyAwarded(ValidationError):
    """The student has the seal in this language: recorded by someone else at the same moment."""


@contextmanager
def _refusing_a_second(error: ValidationError, model, **keys) -> Iterator[None]:
    """Write inside a savepoint; when the database refuses the row because its twin (`keys`) was committed by
    another request since the checks ran, raise `error` instead of a server error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        if not model.objects.filter(**keys).exists():
            raise
        raise error from None


@transaction.atomic
def assessment_result_create(
    *,
    student: Student,
    assessment: Assessment,
    language: str,
    score: int,
    taken_on: date,
    recorded_by: AbstractBaseUser | None,
) -> AssessmentResult:
    """Record one assessment result; ValidationError (score off the scale, future date, the same result twice)
    and nothing written."""
    language = language.strip()
    result = AssessmentResult(
        student=student,
        assessment=assessment,
        language=language_spellings().get(language.casefold(), language),
        score=score,
        taken_on=taken_on,
        recorded_by=recorded_by,
    )
    result.full_clean()
    result._history_user = recorded_by
    refused = ValidationError(AssessmentResult._meta.constraints[0].violation_error_message)
    keys = {"student": student, "assessment": assessment, "language": result.language, "taken_on": taken_on}
    with _refusing_a_second(refused, AssessmentResult, **keys):
        result.save()
    report_sources_changed(student_ids={student.pk})
    return result


@transaction.atomic
def seal_evidence_record(
    *,
    student: Student,
    kind: str,
    language: str,
    approved_on: date,
    approved_by: AbstractBaseUser,
    note: str = "",
) -> SealEvidence:
    """Record a tribal certification or a portfolio approval, with who approved it and when."""
    language = language.strip()
    evidence = SealEvidence(
        student=student, kind=kind, language=language_spellings().get(language.casefold(), language),
        approved_on=approved_on, approved_by=approved_by,
        note=note.strip(),
    )  # fmt: skip
    if approved_on and is_in_future(approved_on):
        raise ValidationError({"approved_on": "The approval date is in the future."})
    evidence.full_clean()
    evidence._history_user = approved_by
    refused = ValidationError("This is already recorded for this student and language.")
    with _refusing_a_second(refused, SealEvidence, student=student, kind=kind, language=evidence.language):
        evidence.save()
    report_sources_changed(student_ids={student.pk})
    return evidence


@transaction.atomic
def seal_award_create(
    *,
    student: Student,
    language: str,
    route: SealPathway,
    awarded_on: date,
    recorded_by: AbstractBaseUser | None,
    reason: str = "",
    note: str = "",
) -> SealAward:
    """Award the seal in `language` by `route` (an offered route serving the language). A student who does not
    meet the route on record is awarded only with a reason, kept on the award and in its history. Raises
    ValidationError (nothing written): a date in the future, the seal already awarded in the language
    (SealAlreadyAwarded when someone else recorded it at the same moment), no reason where one is needed."""
    language, reason = language.strip(), reason.strip()
    if route.status != SealPathway.Status.OFFERED:
        raise ValidationError({"route": f"{route} is {route.get_status_display().lower()}, not offered."})
    if not route.serves(language):
        raise ValidationError({"route": f"{route} serves {route.languages}, not {language}."})
    language = next(name for name in route.language_list if name.casefold() == language.casefold())
    if is_in_future(awarded_on):
        raise ValidationError({"awarded_on": "The award date is in the future."})
    facts = seal_facts(student_ids=[student.pk])[student.pk]
    progress = route_progress(facts, seal_route_rule(route), language)
    if not progress.met and not reason:
        raise ValidationError(
            {"reason": f"{student} does not meet {route} on record ({progress.summary()}). "
                       "Give the reason to award the seal anyway."}
        )  # fmt: skip
    award = SealAward(
        student=student,
        pathway=route,
        language=language,
        awarded_on=awarded_on,
        school_year=school_year_for_date_ensure(day=awarded_on),
        note=note.strip(),
        exception_reason="" if progress.met else reason,
        recorded_by=recorded_by,
    )
    award.full_clean()
    award._history_user = recorded_by
    award._change_reason = "" if progress.met else f"Awarded without meeting the route: {reason}"
    refused = SealAlreadyAwarded(SEAL_ALREADY_AWARDED, code="already_awarded")
    with _refusing_a_second(refused, SealAward, student=student, language__iexact=language):
        award.save()
    report_sources_changed(student_ids={student.pk})
    return award
