"""Reads about the catalog and awards for the counselor workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet

from credentials.models import Credential, CredentialAward
from pathways.models import Course, CourseCompletion, ProgramOfStudy
from students.local_ids import clean_local_id
from students.models import SchoolYear, Student, normalize_for_search
from students.selectors import students_matching_local_ids, students_visible_to

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
    ranked = []
    for credential in base.prefetch_related("aliases").order_by():
        names = [credential.code, credential.name, *(a.alias for a in credential.aliases.all())]
        keys = [credential_key(n) for n in names]
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
    taking = CourseCompletion.objects.filter(school_year=school_year)
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
