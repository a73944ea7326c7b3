"""Writes to career clusters, programs and courses, and to the seal: routes, assessment results, tribal
certifications and portfolio approvals, seal awards."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from common.changes import report_sources_changed
from pathways.models import (
    NOT_A_WORLD_LANGUAGE,
    SEAL_ALREADY_AWARDED,
    Assessment,
    AssessmentResult,
    CareerCluster,
    CareerPathway,
    Course,
    CourseCompletion,
    ProgramCourse,
    ProgramOfStudy,
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
from students.models import School, Student
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


# --- programs of study ----------------------------------------------------------------------------------------

PROGRAM_CHANGED_MEANWHILE = (
    "Someone else saved this program after you opened it, so nothing of yours was saved. "
    "The page now shows the program as saved: make your change again."
)
PROGRAM_CODE_TAKEN = "Another program was just saved with this code; choose another code."
COURSE_TWICE = "{course} is in the sequence twice; a course has one place in a program's sequence."
COMPLETER_ABOVE_SEQUENCE = (
    "A completer cannot need more courses ({threshold}) than the sequence has ({length}): "
    "add courses to the sequence or lower the threshold."
)
# Kept rows step aside to positions this far up while the sequence is renumbered, so no two rows ever share a
# position (the database's one_course_per_program_position holds at every statement).
_POSITION_ASIDE = 10_000
_REASON_LENGTH = 100  # simple-history's history_change_reason column


class ProgramChangedMeanwhile(Exception):
    """The program was saved by someone else after the editor read it (its version moved on)."""

    message = PROGRAM_CHANGED_MEANWHILE


def program_version(*, program: ProgramOfStudy) -> str:
    """A token that changes with every save of the program (its newest history row), for a form to carry."""
    if program.pk is None:
        return ""
    latest = program.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or 0)


def program_sequence_errors(*, courses: Sequence[Course], completer_threshold: int | None) -> dict[str, str]:
    """What is wrong with a sequence and its completer threshold, by field ("sequence", "completer_threshold");
    empty when nothing is. One rule for the form and the service."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for course in courses:
        if course.pk in seen:
            errors["sequence"] = COURSE_TWICE.format(course=course)
            break
        seen.add(course.pk)
    if completer_threshold is not None and completer_threshold > len(courses):
        errors["completer_threshold"] = COMPLETER_ABOVE_SEQUENCE.format(
            threshold=completer_threshold, length=len(courses)
        )
    return errors


def _names_changed(label: str, before: Iterable, after: Iterable) -> str:
    before, after = {str(x) for x in before}, {str(x) for x in after}
    parts = [f"+{n}" for n in sorted(after - before)] + [f"-{n}" for n in sorted(before - after)]
    return f"{label} {' '.join(parts)}" if parts else ""


@transaction.atomic
def program_save(
    *,
    program: ProgramOfStudy,
    schools: Iterable[School],
    credentials: Iterable[models.Model],
    courses: Sequence[Course],
    version: str | None,
    changed_by: AbstractBaseUser | None = None,
) -> ProgramOfStudy:
    """Save a program of study (a new one or an edit, unsaved changes on `program`), its schools, the credentials
    it leads to and its ordered course sequence (`courses`, first to last), all or nothing.

    ValidationError (nothing written) for a course twice, a completer threshold below the concentrator threshold
    or above the sequence length, or any invalid field. ProgramChangedMeanwhile when `version` (from
    program_version when the editor opened the program) is no longer the program's: the program row is locked
    first, so of two editors saving at once the second waits for the first, then finds the version moved on.

    A change of the sequence or of a threshold changes the status of the program's participants: the students
    with a completion of any course in the old or new sequence are announced (common.changes), so the rollups
    (and the board figures read from them) are re-derived in this transaction.
    """
    courses = list(courses)
    errors = program_sequence_errors(courses=courses, completer_threshold=program.completer_threshold)
    if errors:
        raise ValidationError(errors)
    schools, credentials = list(schools), list(credentials)
    before = None
    if program.pk is not None:
        before = ProgramOfStudy.objects.select_for_update().get(pk=program.pk)
        if version is not None and version != program_version(program=before):
            raise ProgramChangedMeanwhile(PROGRAM_CHANGED_MEANWHILE)
    old_places = {} if before is None else {p.course_id: p for p in before.sequence.select_related("course")}
    old_order = [p.course_id for p in sorted(old_places.values(), key=lambda p: p.position)]
    new_order = [c.pk for c in courses]
    sequence_changed = old_order != new_order
    thresholds_changed = before is None or (before.concentrator_threshold, before.completer_threshold) != (
        program.concentrator_threshold,
        program.completer_threshold,
    )
    reasons = []
    if before is not None:
        reasons.append(_names_changed("schools", before.schools.all(), schools))
        reasons.append(_names_changed("credentials", before.credentials.all(), credentials))
    if sequence_changed:
        reasons.append("sequence: " + ", ".join(c.code for c in courses))
    reason = "; ".join(r for r in reasons if r)
    if len(reason) > _REASON_LENGTH:
        reason = reason[: _REASON_LENGTH - 1] + "…"
    program.full_clean()
    program._change_reason = reason or None
    if changed_by is not None:
        program._history_user = changed_by
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError as error:  # another coordinator added a program with this code a moment ago
        raise ValidationError({"code": PROGRAM_CODE_TAKEN}) from error
    program.schools.set(schools)
    program.credentials.set(credentials)
    if sequence_changed:
        _sequence_write(program=program, old_places=old_places, courses=courses, changed_by=changed_by)
    if sequence_changed or thresholds_changed:
        touched = set(old_order) | set(new_order)
        students = CourseCompletion.objects.filter(course_id__in=touched).values_list("student_id", flat=True)
        report_sources_changed(student_ids=set(students))
    return program


def _sequence_write(
    *, program: ProgramOfStudy, old_places: dict[int, ProgramCourse], courses: list[Course], changed_by
) -> None:
    """Make the program's sequence `courses`, in order, with one history row per course added, removed or moved."""
    wanted = {c.pk for c in courses}
    for course_id, place in old_places.items():
        if course_id not in wanted:
            if changed_by is not None:
                place._history_user = changed_by
            place.delete()
    # Step aside without history rows: only the final positions below are changes a person made.
    ProgramCourse.objects.filter(program=program).update(position=F("position") + _POSITION_ASIDE)
    for position, course in enumerate(courses, start=1):
        place = old_places.get(course.pk)
        if place is None:
            place = ProgramCourse(program=program, course=course, position=position)
        elif place.position == position:
            ProgramCourse.objects.filter(pk=place.pk).update(position=position)
            continue
        else:
            place.position = position
        if changed_by is not None:
            place._history_user = changed_by
        place.save()


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
