"""Writes to career clusters, programs and courses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from common.changes import report_sources_changed
from pathways.models import CareerCluster, CareerPathway, Course, CourseCompletion, ProgramCourse, ProgramOfStudy
from pathways.reference.national_clusters import CLUSTERS, FRAMEWORK, pathway_code
from students.models import School


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
