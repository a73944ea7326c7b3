"""Reads about students. `students_visible_to` is the one place that decides which students a user may see.

Every student page, search, export and htmx fragment starts from it (FERPA: access only where there
is a legitimate educational interest):
- a counselor sees the students enrolled *this school year* at the schools of their staff profile;
- a CTE coordinator (and a superuser) sees every student;
- anyone else (board viewer, no role, anonymous) sees none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Role
from accounts.roles import user_role
from students.local_ids import without_leading_zeros
from students.models import (
    NAME_COLLATION,
    Enrollment,
    School,
    SchoolYear,
    Student,
    normalize_for_search,
    school_year_start_for,
    search_q,
)

SEARCH_LIMIT = 20
# How many students, in name order, the search reads first on PostgreSQL (_matches_among_first_names):
# reading 2,000 entries of the name-order index takes about a millisecond.
SEARCH_WINDOW = 2000
# Two letters match nearly half of a district ("ma"); three keep results useful and the search fast.
SEARCH_MIN_LENGTH = 3


def current_start_year() -> int:
    """The start year of this school year: the one containing today in the district's time zone, by the
    SCHOOL_YEAR_START rule (school_year_start_for). Not by the dates stored on a year: those keep the start
    day in force when the year was first recorded, so after a change of SCHOOL_YEAR_START they would name
    another year and the pages would show no student."""
    return school_year_start_for(timezone.localdate())


def current_school_year() -> SchoolYear:
    """This school year (see current_start_year).

    Before anything is imported or recorded in it there is no row: then it is the unsaved year by the same
    rule (SchoolYear.by_rule), with its label and dates and nothing in it, since a read never writes.
    """
    start_year = current_start_year()
    return SchoolYear.objects.filter(start_year=start_year).first() or SchoolYear.by_rule(start_year)


def students_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Student]:
    """The students `user` may see (see the module docstring); costs no query until evaluated."""
    role = user_role(user)
    if role == Role.COORDINATOR:
        return Student.objects.all()
    if role == Role.COUNSELOR:
        # This year by its start year, without fetching the year first (current_start_year).
        enrolled_here = Enrollment.objects.filter(
            school__staff__user=user, school_year__start_year=current_start_year()
        ).values("student_id")
        return Student.objects.filter(id__in=enrolled_here)
    return Student.objects.none()


def schools_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[School]:
    """The schools whose students `user` may see: a counselor's own, every school for a coordinator."""
    role = user_role(user)
    if role == Role.COORDINATOR:
        return School.objects.all()
    if role == Role.COUNSELOR:
        return School.objects.filter(staff__user=user)
    return School.objects.none()


def student_search(*, user: AbstractBaseUser | AnonymousUser, query: str, limit: int = SEARCH_LIMIT) -> list[Student]:
    """Students visible to `user` whose name or ID contains every word of `query`, accents and case ignored.

    Queries shorter than SEARCH_MIN_LENGTH characters return nothing. One query; on PostgreSQL two when
    the first, among the first students in name order, finds fewer than `limit`.
    """
    if search_too_short(query):
        return []
    students = students_visible_to(user=user).filter(search_q(query))
    if connection.vendor == "postgresql":
        try:
            first = _matches_among_first_names(students, limit)
        except EmptyResultSet:  # a user who may see no student
            return []
        found = list(Student.objects.filter(pk__in=first).in_name_order())
        if len(found) == limit:
            return found
    return list(students.in_name_order()[:limit])


def _matches_among_first_names(students: QuerySet[Student], limit: int) -> RawSQL:
    """The keys of the first `limit` of `students` among the first SEARCH_WINDOW students in name order.

    PostgreSQL only, read from the name-order index (migration 0006) alone. When it finds `limit`, they
    are the answer: the window holds everyone before them in name order. A word that many students match
    ("mar": a third of a district) is answered here in a few milliseconds, where finding every match
    through the trigram index and sorting them took 50 ms; a rarer word finds fewer than `limit` and the
    search asks the trigram index (student_search), which is fast precisely because matches are few.
    `students` is filtered as the search filters (scope and search_q): its conditions are applied to
    the window under the student table's own name, so the one matching rule stays search_q.
    """
    table = Student._meta.db_table
    compiler = students.query.get_compiler(connection=connection)
    where, where_params = compiler.compile(students.query.where)
    quote = connection.ops.quote_name
    names = [f"{quote(field)} COLLATE {quote(NAME_COLLATION)}" for field in ("last_name", "first_name", "middle_name")]
    order = ", ".join([*names, quote("local_id")])
    window = (
        f"SELECT {quote('id')}, {quote('search_text')}, {quote('last_name')}, {quote('first_name')}, "
        f"{quote('middle_name')}, {quote('local_id')} FROM {quote(table)} "
        # The condition every row meets is what lets this query, and no other, use the partial index.
        f"WHERE {quote('local_id')} <> '' ORDER BY {order} LIMIT %s"
    )
    sql = f"SELECT {quote('id')} FROM ({window}) AS {quote(table)} WHERE {where} ORDER BY {order} LIMIT %s"
    return RawSQL(sql, (SEARCH_WINDOW, *where_params, limit))


def search_too_short(query: str) -> bool:
    """Fewer than SEARCH_MIN_LENGTH letters or digits: too little for search as you type."""
    return len("".join(normalize_for_search(query).split())) < SEARCH_MIN_LENGTH


@dataclass(frozen=True)
class LocalIdMatch:
    """How one cleaned student ID was matched: exactly, by its leading zeros, ambiguously or not at all."""

    given: str
    pk: int | None = None
    local_id: str = ""  # the student's stored ID when matched
    candidates: tuple[str, ...] = ()  # the stored IDs it could be, when more than one

    @property
    def read_as(self) -> str:
        """'1566 read as 001566' when the match restored stripped zeros; '' for an exact match or none."""
        if self.pk is not None and self.local_id != self.given:
            return f"{self.given} read as {self.local_id}"
        return ""

    @property
    def problem(self) -> str:
        """Why the ID matches no single student ('' when it does, or when it simply matches nobody)."""
        if self.candidates:
            listed = ", ".join(self.candidates)
            return f"'{self.given}' could be any of the students {listed}: use the full ID"
        return ""


# Above this many IDs one pass over the student table is cheaper than IN lists of query parameters.
MATCH_SCAN_ABOVE = 10_000


def students_matching_local_ids(
    local_ids: Iterable[str], *, students: QuerySet[Student] | None = None
) -> dict[str, LocalIdMatch]:
    """Match cleaned student IDs to students (among `students`, default all): an exact ID first; failing
    that, the one student whose ID is the same once leading zeros are dropped on both sides (Excel turned
    `001566` into `1566`); several such students make the ID ambiguous. Every given ID gets an entry.

    Two queries for a short list, one scan of (id, local_id) for a long one.
    """
    wanted = {i for i in local_ids if i}
    base = Student.objects.all() if students is None else students
    exact: dict[str, int] = {}
    by_stripped: dict[str, list[tuple[str, int]]] = {}
    if len(wanted) > MATCH_SCAN_ABOVE:
        keys = {without_leading_zeros(i) for i in wanted}  # only these can match a stripped ID
        for local_id, pk in base.values_list("local_id", "pk").order_by().iterator(chunk_size=10_000):
            if local_id in wanted:
                exact[local_id] = pk
            elif (key := without_leading_zeros(local_id)) in keys:
                by_stripped.setdefault(key, []).append((local_id, pk))
        # A student matched exactly can still be the one another given ID fits without zeros ("1566" when
        # "001566" is given too); indexed only for the IDs left unmatched (none in a plain re-import).
        loose = {without_leading_zeros(i) for i in wanted if i not in exact}
        if loose:
            for local_id, pk in exact.items():
                if (key := without_leading_zeros(local_id)) in loose:
                    by_stripped.setdefault(key, []).append((local_id, pk))
    else:
        if wanted:
            exact = dict(base.filter(local_id__in=wanted).values_list("local_id", "pk").order_by())
        stripped = {without_leading_zeros(i) for i in wanted if i not in exact} - {""}
        if stripped:
            ltrim = Func(F("local_id"), Value("0"), function="LTRIM", output_field=CharField())
            rows = base.annotate(stripped=ltrim).filter(stripped__in=stripped).values_list("local_id", "pk", "stripped")
            for local_id, pk, key in rows.order_by():
                by_stripped.setdefault(key, []).append((local_id, pk))
    matches: dict[str, LocalIdMatch] = {}
    for given in wanted:
        if given in exact:
            matches[given] = LocalIdMatch(given=given, pk=exact[given], local_id=given)
            continue
        key = without_leading_zeros(given)
        found = by_stripped.get(key) if key else None
        if not found:  # most IDs of a roster of new students: nobody to sort
            matches[given] = LocalIdMatch(given=given)
            continue
        found = sorted(found)
        if len(found) == 1:
            matches[given] = LocalIdMatch(given=given, pk=found[0][1], local_id=found[0][0])
        else:
            matches[given] = LocalIdMatch(given=given, candidates=tuple(i for i, _ in found))
    return matches
