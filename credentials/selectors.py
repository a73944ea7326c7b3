"""Reads about the catalog and awards for the counselor workspace, and the student pages that show awards
(the list with "earned this year", the record with its awards, seals and history, the recent entries)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.text import capfirst

from accounts.models import Role
from accounts.roles import user_role
from common.history import HistoryEntry
from credentials.models import Credential, CredentialAlias, CredentialAward
from pathways.models import AssessmentResult, Course, CourseCompletion, ProgramOfStudy, SealAward
from students.local_ids import clean_local_id
from students.models import STUDENT_GROUPS, Enrollment, SchoolYear, Student, normalize_for_search
from students.selectors import (
    current_start_year,
    schools_visible_to,
    students_matching_local_ids,
    students_visible_to,
)

User = AbstractBaseUser | AnonymousUser


def catalog_list() -> QuerySet[Credential]:
    """Every credential with `award_count` and its aliases prefetched."""
    return Credential.objects.annotate(award_count=Count("awards")).prefetch_related("aliases")


def credential_key(text: str) -> str:
    """Text as credential search compares it: no case, accents, spaces, hyphens or other punctuation, so
    "OSHA-10", "osha 10" and "OSHA10" are the same."""
    return "".join(ch for ch in normalize_for_search(text) if ch.isalnum())


def _words(text: str) -> list[str]:
    return [w for w in (credential_key(part) for part in re.split(r"[\W_]+", text)) if w]


def credential_keys(*, code: str, name: str, aliases: Iterable[str]) -> list[str]:
    """The credential_key of a credential's code, its name and each alias, in that order: what
    credentials_matching compares, and what a picker's option carries to narrow by the same rule."""
    return [credential_key(text) for text in (code, name, *aliases)]


def credentials_matching(*, query: str, credentials: QuerySet[Credential] | None = None) -> list[Credential]:
    """The credentials (of `credentials`, default the whole catalog) that `query` names, best first:
    1. its code, an alias or its name is exactly the query ("OSHA-10" is an alias of OSHA 10-Hour General
       Industry, which comes first, before the alphabetically earlier OSHA 10-Hour Construction);
    2. its name starts with the query;
    3. the rest: every word of the query is in its code, name or aliases.
    Compared by credential_key; ties by name. A blank query matches nothing. Two queries, whatever the
    catalog's size (the catalog is a few hundred rows, ranked here rather than in SQL so the cleaning is
    the same Python rule everywhere).
    """
    key, words = credential_key(query), _words(query)
    if not key:
        return []
    base = Credential.objects.all() if credentials is None else credentials
    # Aliases as plain pairs, not prefetch_related: its per-credential querysets were most of the cost.
    aliases: dict[int, list[str]] = {}
    pairs = CredentialAlias.objects.filter(credential_id__in=base.values("pk")).values_list("credential_id", "alias")
    for credential_id, alias in pairs:
        aliases.setdefault(credential_id, []).append(alias)
    ranked = []
    for credential in base.order_by():
        keys = credential_keys(code=credential.code, name=credential.name, aliases=aliases.get(credential.pk, ()))
        haystack = " ".join(keys)
        if key in keys:
            rank = 0
        elif keys[1].startswith(key):
            rank = 1
        elif all(w in haystack for w in words):
            rank = 2
        else:
            continue
        ranked.append((rank, credential.name.casefold(), credential.pk, credential))
    return [entry[-1] for entry in sorted(ranked, key=lambda e: e[:3])]


def session_roster(
    *, user: User, school_year: SchoolYear, program: ProgramOfStudy | None = None, course: Course | None = None
) -> QuerySet[Student]:
    """Visible students taking `course`, or any course of `program`'s sequence, in `school_year`."""
    if program is None and course is None:
        return Student.objects.none()
    # By id, so a year not on record yet (unsaved, see current_school_year) has nobody taking a course.
    taking = CourseCompletion.objects.filter(school_year_id=school_year.pk)
    if course is not None:
        taking = taking.filter(course=course)
    if program is not None:
        taking = taking.filter(course__program_places__program=program)
    return students_visible_to(user=user).filter(id__in=taking.values("student_id")).in_name_order()


def parse_student_ids(text: str) -> list[str]:
    """Student IDs from a pasted column (one per line; commas, tabs and spaces also separate), each in the
    cleaned form of students.local_ids.clean_local_id, in order, without repeats."""
    seen: dict[str, None] = {}
    for chunk in text.replace(",", "\n").replace("\t", "\n").replace(";", "\n").split():
        seen.setdefault(clean_local_id(chunk.strip().strip("'\"")), None)
    return [s for s in seen if s]


@dataclass
class PastedStudents:
    """How pasted IDs matched the user's students."""

    students: list[Student]
    # Not recognised: unknown, or outside the user's scope (said the same way, so that a counselor
    # cannot learn who studies elsewhere).
    unknown: list[str]
    read_as: list[str]  # "1566 read as 001566": a spreadsheet had dropped the leading zeros
    ambiguous: list[str]  # why an ID fits several of the user's students, naming them


def students_by_local_ids(*, user: User, local_ids: list[str]) -> PastedStudents:
    """The visible students these cleaned IDs name, exactly or, failing that, as the one visible student
    whose ID is the same without its leading zeros (students_matching_local_ids); in the order given.
    Only the user's students are candidates, so an out-of-scope student answers like an unknown ID."""
    if not local_ids:
        return PastedStudents([], [], [], [])
    visible = students_visible_to(user=user)
    matches = students_matching_local_ids(local_ids, students=visible)
    by_pk = visible.in_bulk({m.pk for m in matches.values() if m.pk is not None})
    result = PastedStudents([], [], [], [])
    for local_id in local_ids:
        match = matches[local_id]
        if match.pk is not None:
            result.students.append(by_pk[match.pk])
            if match.read_as:
                result.read_as.append(match.read_as)
        elif match.problem:
            result.ambiguous.append(match.problem)
        else:
            result.unknown.append(local_id)
    return result


def holders_of(*, credential: Credential, students: list[Student]) -> dict[int, list]:
    """For each of `students` who already has `credential` (any date): the dates, newest first."""
    held: dict[int, list] = {}
    awards = CredentialAward.objects.filter(credential=credential, student__in=[s.pk for s in students])
    for student_id, earned_on in awards.order_by("-earned_on").values_list("student_id", "earned_on"):
        held.setdefault(student_id, []).append(earned_on)
    return held


@dataclass
class SessionPreview:
    """What a testing session would record: each student with the dates they already hold the credential."""

    credential: Credential
    earned_on: date
    students: list[tuple[Student, list[date]]]
    # IDs pasted that match none of the user's students.
    unknown: list[str]
    # "1566 read as 001566", and the IDs that fit several students, with those students' IDs.
    read_as: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)

    @property
    def student_list(self) -> list[Student]:
        return [s for s, _ in self.students]

    @property
    def new_count(self) -> int:
        return sum(1 for _, dates in self.students if self.earned_on not in dates)


def session_preview(
    *,
    user: User,
    roster: list[Student],
    picked_ids: set[int],
    pasted_ids: list[str],
    credential: Credential,
    earned_on: date,
) -> SessionPreview:
    """The students ticked on `roster` and pasted by ID (scoped to `user`), without repeats. A few queries,
    however many IDs."""
    picked = [s for s in roster if s.pk in picked_ids]
    pasted = students_by_local_ids(user=user, local_ids=pasted_ids)
    students = list({s.pk: s for s in picked + pasted.students}.values())
    held = holders_of(credential=credential, students=students)
    return SessionPreview(
        credential=credential,
        earned_on=earned_on,
        students=[(s, held.get(s.pk, [])) for s in students],
        unknown=pasted.unknown,
        read_as=pasted.read_as,
        ambiguous=pasted.ambiguous,
    )


def student_list_rows(*, user: AbstractBaseUser | AnonymousUser, school_year: SchoolYear) -> QuerySet[Enrollment]:
    """One row per visible student enrolled in `school_year`: the enrollment with its student and school,
    and `earned_this_year` (at least one credential award dated in that year)."""
    earned = CredentialAward.objects.in_school_year(school_year).filter(student_id=OuterRef("student_id"))
    rows = Enrollment.objects.in_school_year(school_year)
    if user_role(user) == Role.COUNSELOR and school_year.start_year == current_start_year():
        # The same rows as students_visible_to gives (a counselor sees the students enrolled at their schools this
        # year, and a student has one enrollment a year: a unique constraint), said so that PostgreSQL reads the
        # year's enrollments of those schools from the (year, school, grade) index instead of hashing every
        # enrollment of the year against the scope.
        rows = rows.filter(school__in=schools_visible_to(user=user))
    else:
        rows = rows.filter(student__in=students_visible_to(user=user))
    return rows.select_related("student", "school").annotate(earned_this_year=Exists(earned))


@dataclass
class StudentRecord:
    student: Student
    current_enrollment: Enrollment | None
    enrollments: list[Enrollment]
    awards_by_year: list[tuple[SchoolYear, list[CredentialAward]]]
    seal_awards: list[SealAward]


def student_record(*, student: Student, school_year: SchoolYear) -> StudentRecord:
    """A student's enrollments, awards grouped by school year (newest first) and seal awards. Three queries."""
    enrollments = list(student.enrollments.select_related("school", "school_year").order_by("-school_year__start_year"))
    awards = list(
        student.awards.select_related("credential", "school_year", "program", "recorded_by").order_by(
            "-school_year__start_year", "-earned_on", "credential__name"
        )
    )
    by_year: dict[int, tuple[SchoolYear, list[CredentialAward]]] = {}
    for award in awards:
        by_year.setdefault(award.school_year_id, (award.school_year, []))[1].append(award)
    seals = list(student.seal_awards.select_related("pathway", "school_year"))
    current = next((e for e in enrollments if e.school_year_id == school_year.id), None)
    return StudentRecord(
        student=student,
        current_enrollment=current,
        enrollments=enrollments,
        awards_by_year=list(by_year.values()),
        seal_awards=seals,
    )


def field_label(model, name: str) -> str:
    """What a person calls a model field: its verbose name, capitalised ("Birth date", "Student ID")."""
    return capfirst(model._meta.get_field(name).verbose_name)


def _shown(row, name: str, shown: dict) -> object:
    if name in shown:
        return shown[name](row)
    field = row._meta.get_field(name)
    if field.choices:
        return getattr(row, f"get_{name}_display")()
    return getattr(row, name)


def student_history(*, student: Student, limit: int = 100) -> list[HistoryEntry]:
    """Changes to the student, their enrollments, their awards (deleted awards included), their seal awards and
    assessment results, newest first.

    Each entry lists the fields that changed from the previous version of the same row. Six queries.
    """
    # Names looked up apart, so an award whose credential was later merged away keeps its history.
    award_history = CredentialAward.history.filter(student_id=student.id)
    credential_names = dict(
        Credential.objects.filter(id__in=award_history.values("credential_id")).values_list("id", "name")
    )
    entries: list[HistoryEntry] = []
    # A link shows as what it names: the school and program loaded with each version, the credential
    # by its name as looked up above.
    shown = {"credential": lambda row: credential_names.get(row.credential_id, "a credential since merged")}
    sources = [
        (
            Student.history.filter(id=student.id),
            lambda h: "Student record",
            [
                "local_id",
                "state_id",
                "first_name",
                "middle_name",
                "last_name",
                "birth_date",
                "sex",
                "race_ethnicity",
                "home_language",
            ],
        ),
        (
            Enrollment.history.filter(student_id=student.id).select_related("school_year", "school"),
            lambda h: f"Enrollment {h.school_year}",
            ["school", "grade", *STUDENT_GROUPS],
        ),
        (
            CredentialAward.history.filter(student_id=student.id).select_related("program"),
            lambda h: f"Award: {credential_names.get(h.credential_id, 'a credential since merged')}",
            ["credential", "earned_on", "program", "certificate_number", "note"],
        ),
        (
            SealAward.history.filter(student_id=student.id).select_related("pathway"),
            lambda h: f"Seal of Bilingualism-Biliteracy: {h.language}",
            ["pathway", "language", "awarded_on", "exception_reason", "note"],
        ),
        (
            AssessmentResult.history.filter(student_id=student.id).select_related("assessment"),
            lambda h: f"Assessment result: {h.assessment.name} ({h.language})",
            ["assessment", "language", "score", "taken_on"],
        ),
    ]
    kinds = {"+": "Created", "~": "Changed", "-": "Deleted"}
    for rows, label, fields in sources:
        model = rows.model
        # Compared by the stored value (a link by its id), shown by what a person reads.
        stored = {name: model._meta.get_field(name).attname for name in fields}
        labels = {name: field_label(model, name) for name in fields}
        previous: dict[int, object] = {}
        for row in rows.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(row.id)
            changes = []
            if before is not None and row.history_type == "~":
                changes = [
                    (labels[name], _shown(before, name, shown), _shown(row, name, shown))
                    for name in fields
                    if getattr(before, stored[name]) != getattr(row, stored[name])
                ]
            previous[row.id] = row
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=(row.history_user.get_full_name() or row.history_user.username) if row.history_user else "",
                    what=label(row),
                    kind=kinds.get(row.history_type, row.history_type),
                    changes=changes,
                    reason=row.history_change_reason or "",
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def recent_awards(*, user: AbstractBaseUser | AnonymousUser, limit: int = 10) -> QuerySet[CredentialAward]:
    """The latest awards recorded for students `user` may see, newest entry first."""
    return (
        CredentialAward.objects.filter(student__in=students_visible_to(user=user))
        .select_related("student", "credential", "recorded_by")
        .order_by("-recorded_at")[:limit]
    )
