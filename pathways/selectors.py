"""Reads about programs of study (who is a participant, concentrator or completer) and the facts the seal
rules (pathways.seal) read.

A student's progress in a program is the number of *different* courses of the program's sequence
they passed in any school year up to and including the year asked about. With the program's own
thresholds: at least 1 makes a participant, at least `concentrator_threshold` (Perkins V: 2) a
concentrator, at least `completer_threshold` (district: 4) a completer. A course in several
sequences (AP Chemistry) counts in each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils.text import capfirst

from common.history import HistoryEntry
from pathways.models import (
    AssessmentResult,
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
from pathways.seal import (
    CourseTaken,
    LanguageStatus,
    RouteRule,
    ScoreOnRecord,
    SealFacts,
    route_progress,
    routes_in_force,
    seal_statuses,
)
from students.models import SchoolYear, Student

PARTICIPANT = "participant"
CONCENTRATOR = "concentrator"
COMPLETER = "completer"


def program_course_counts(*, school_year: SchoolYear, program: ProgramOfStudy | None = None) -> QuerySet:
    """One row per (student, program): `student_id`, `program_id`, `courses` passed in the sequence by
    the end of `school_year`, and the program's `concentrator_at` / `completer_at` thresholds."""
    rows = CourseCompletion.objects.filter(
        passed=True,
        school_year__start_year__lte=school_year.start_year,
        course__program_places__isnull=False,
    )
    if program is not None:
        rows = rows.filter(course__program_places__program=program)
    return (
        rows.values(
            "student_id",
            program_id=F("course__program_places__program"),
            concentrator_at=F("course__program_places__program__concentrator_threshold"),
            completer_at=F("course__program_places__program__completer_threshold"),
        )
        .annotate(courses=Count("course", distinct=True))
        .order_by()
    )


def students_at_status(*, school_year: SchoolYear, status: str, program: ProgramOfStudy | None = None) -> QuerySet:
    """Student ids (a subquery) who are at least `status` in `program` (or in any program) by `school_year`."""
    counts = program_course_counts(school_year=school_year, program=program)
    if status == COMPLETER:
        counts = counts.filter(courses__gte=F("completer_at"))
    elif status == CONCENTRATOR:
        counts = counts.filter(courses__gte=F("concentrator_at"))
    elif status != PARTICIPANT:
        raise ValueError(f"unknown program status {status!r}")
    return counts.values("student_id")


@dataclass(frozen=True)
class ProgramProgress:
    program: ProgramOfStudy
    courses_passed: int
    sequence_length: int
    status: str | None
    # (position, course, school year label or None, passed)
    sequence: list[tuple[int, object, str | None, bool]]

    @property
    def next_status(self) -> tuple[str, int] | None:
        """The next status the student can reach in this program and how many more sequence courses it needs
        (by the program's thresholds, as status_for reads them); None for a completer."""
        for status, threshold in (
            (PARTICIPANT, 1),
            (CONCENTRATOR, self.program.concentrator_threshold),
            (COMPLETER, self.program.completer_threshold),
        ):
            if self.courses_passed < threshold:
                return status, threshold - self.courses_passed
        return None

    @property
    def explanation(self) -> str:
        """The status in words, with what it rests on and what is missing: "Concentrator in Welding (Welding I
        2023-24, Welding II 2024-25); completer after 2 more of: Welding III, Welding IV, Dual-credit Welding"."""
        passed = [f"{course.name} {year}" for _, course, year, ok in self.sequence if ok]
        remaining = [course.name for _, course, _, ok in self.sequence if not ok]
        head = (
            f"{self.status.capitalize()} in {self.program}"
            if self.status
            else f"Not yet a participant in {self.program}"
        )
        if passed:
            head += f" ({', '.join(passed)})"
        following = self.next_status
        if following is None:
            return head
        status, more = following
        if self.courses_passed == 0:
            return f"{head}; {status} after {more} of: {', '.join(remaining)}"
        return f"{head}; {status} after {more} more of: {', '.join(remaining)}"


def program_progress_for_student(*, student: Student) -> list[ProgramProgress]:
    """Every program the student has taken a course of, with each sequence course and their status. Two queries."""
    completions = list(
        CourseCompletion.objects.filter(student=student, course__program_places__isnull=False)
        .select_related("school_year")
        .order_by("school_year__start_year")
    )
    if not completions:
        return []
    done: dict[int, tuple[str, bool]] = {}
    for completion in completions:
        previous = done.get(completion.course_id)
        if previous is None or not previous[1]:
            done[completion.course_id] = (completion.school_year.label, completion.passed)
    places = (
        ProgramCourse.objects.filter(program__sequence__course_id__in=done.keys())
        .select_related("program", "course")
        .order_by("program__name", "position")
        .distinct()
    )
    by_program: dict[int, list[ProgramCourse]] = {}
    for place in places:
        by_program.setdefault(place.program_id, []).append(place)
    result = []
    for items in by_program.values():
        program = items[0].program
        passed = sum(1 for p in items if done.get(p.course_id, (None, False))[1])
        result.append(
            ProgramProgress(
                program=program,
                courses_passed=passed,
                sequence_length=len(items),
                status=status_for(passed, program),
                sequence=[(p.position, p.course, *done.get(p.course_id, (None, False))) for p in items],
            )
        )
    return result


def status_for(courses_passed: int, program: ProgramOfStudy) -> str | None:
    if courses_passed >= program.completer_threshold:
        return COMPLETER
    if courses_passed >= program.concentrator_threshold:
        return CONCENTRATOR
    if courses_passed >= 1:
        return PARTICIPANT
    return None


_PROGRAM_FIELDS = ["code", "name", "pathway", "concentrator_threshold", "completer_threshold", "active"]
_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def program_history(*, program: ProgramOfStudy, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the program and to its sequence (a course added, moved or removed), newest
    first, with who made it. Four queries."""
    courses = {c.pk: str(c) for c in Course.objects.filter(pk__in=program.sequence.values("course_id"))}
    place_rows = list(ProgramCourse.history.filter(program_id=program.pk).select_related("history_user"))
    missing = {r.course_id for r in place_rows} - set(courses)
    courses |= {c.pk: str(c) for c in Course.objects.filter(pk__in=missing)}
    pathways = {p.pk: p.name for p in CareerPathway.objects.all()}
    labels = {name: capfirst(ProgramOfStudy._meta.get_field(name).verbose_name) for name in _PROGRAM_FIELDS}
    entries = []
    previous = None
    for row in program.history.select_related("history_user").order_by("history_date", "history_id"):
        changes = []
        if previous is not None:
            for name in _PROGRAM_FIELDS:
                old, new = getattr(previous, f"{name}_id", None), getattr(row, f"{name}_id", None)
                if name != "pathway":
                    old, new = getattr(previous, name), getattr(row, name)
                if old != new:
                    if name == "pathway":
                        old, new = pathways.get(old, old), pathways.get(new, new)
                    changes.append((labels[name], old, new))
        previous = row
        entries.append(_entry(row, "Program", changes))
    positions: dict[int, int] = {}  # each sequence row's position as last recorded
    for row in sorted(place_rows, key=lambda r: (r.history_date, r.history_id)):
        what = f"Sequence: {courses.get(row.course_id, 'a course')}"
        before = positions.get(row.id, "")
        changes = (
            [] if row.history_type == "-" else [("Position", before if row.history_type == "~" else "", row.position)]
        )
        positions[row.id] = row.position
        entries.append(_entry(row, what, changes))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _entry(row, what: str, changes: list) -> HistoryEntry:
    user = row.history_user
    return HistoryEntry(
        when=row.history_date,
        who=(user.get_full_name() or user.username) if user else "",
        what=what,
        kind=_KINDS.get(row.history_type, row.history_type),
        changes=changes,
        reason=row.history_change_reason or "",
    )


def college_credit_hours(*, school_year: SchoolYear) -> QuerySet:
    """One row per student with college credit hours by the end of `school_year`: `student_id` and `hours`, the
    sum of the college credit hours recorded on their passed course completions (dual credit) in that year or
    an earlier one. Students without any have no row."""
    return (
        CourseCompletion.objects.filter(
            passed=True, college_credit_hours__gt=0, school_year__start_year__lte=school_year.start_year
        )
        .values("student_id")
        .annotate(hours=Sum("college_credit_hours"))
        .order_by()
    )


def seal_route_rules(*, statuses: Iterable[str] = ("offered", "proposed")) -> list[RouteRule]:
    """The seal routes with these statuses as the rules read them (pathways.seal.RouteRule). Three queries."""
    routes = SealPathway.objects.filter(status__in=list(statuses)).prefetch_related(
        "courses", Prefetch("accepted", queryset=SealRouteAssessment.objects.select_related("assessment"))
    )
    return [seal_route_rule(route) for route in routes]


def seal_route_rule(route: SealPathway) -> RouteRule:
    """One route as the rules read it (its courses and accepted assessments prefetched, or two queries)."""
    return RouteRule(
        id=route.pk,
        name=route.name,
        kind=route.route,
        status=route.status,
        languages=tuple(route.language_list),
        course_ids=frozenset(c.pk for c in route.courses.all()),
        units_required=route.units_required,
        minimum_grade=route.minimum_course_grade,
        counts_passed_without_grade=route.counts_passed_without_grade,
        accepts_portfolio=route.accepts_portfolio,
        accepted=tuple((a.assessment_id, a.assessment.name, a.minimum_score) for a in route.accepted.all()),
        needs_certification=route.needs_certification,
    )


def seal_facts(*, student_ids: Iterable[int], school_year: SchoolYear | None = None) -> dict[int, SealFacts]:
    """What each student has on record that a seal route asks about (world-language courses, assessment
    results, tribal certifications and portfolio approvals, seal awards), up to the end of `school_year` when
    one is given. Four queries, however many students; a student with nothing on record has empty facts."""
    ids = list(student_ids)
    facts = {pk: SealFacts(student_id=pk) for pk in ids}
    completions = CourseCompletion.objects.filter(student_id__in=ids, course__is_world_language=True)
    results = AssessmentResult.objects.filter(student_id__in=ids)
    evidence = SealEvidence.objects.filter(student_id__in=ids)
    awards = SealAward.objects.filter(student_id__in=ids)
    if school_year is not None:
        completions = completions.filter(school_year__start_year__lte=school_year.start_year)
        results = results.filter(taken_on__lte=school_year.end_date)
        evidence = evidence.filter(approved_on__lte=school_year.end_date)
        awards = awards.filter(school_year__start_year__lte=school_year.start_year)
    for c in completions.select_related("course", "school_year"):
        facts[c.student_id].courses.append(
            CourseTaken(
                course_id=c.course_id,
                name=c.course.name,
                language=c.course.language,
                counts_for_seal=counts_for_seal(c.course),
                credits=c.course.credits,
                passed=c.passed,
                grade=c.final_grade,
                start_year=c.school_year.start_year,
            )
        )
    for r in results.select_related("assessment"):
        facts[r.student_id].results.append(ScoreOnRecord(r.assessment_id, r.assessment.name, r.language, r.score))
    for student_id, kind, language in evidence.values_list("student_id", "kind", "language"):
        facts[student_id].evidence.add((kind, language))
    for student_id, language, route_id, route_name in awards.values_list(
        "student_id", "language", "pathway_id", "pathway__name"
    ):
        facts[student_id].awards[language.casefold()] = (language, route_id, route_name)
    return facts


def seal_statuses_for_student(*, student: Student) -> list[LanguageStatus]:
    """The student's seal status in every language they have something on record in, over the offered routes."""
    rules = routes_in_force(seal_route_rules(statuses=("offered",)))
    return seal_statuses(seal_facts(student_ids=[student.pk])[student.pk], rules)


@dataclass
class SealRecords:
    """What a student's page lists under the seal: assessment results and certifications/approvals."""

    results: list[AssessmentResult]
    evidence: list[SealEvidence]


def seal_records_for_student(*, student: Student) -> SealRecords:
    """The student's assessment results (newest first) and tribal certifications and portfolio approvals. Two
    queries."""
    return SealRecords(
        results=list(student.assessment_results.select_related("assessment", "recorded_by").order_by("-taken_on")),
        evidence=list(student.seal_evidence.select_related("approved_by").order_by("-approved_on")),
    )


@dataclass
class WorklistEntry:
    """A student one requirement away from a seal in one language by one route."""

    student_id: int
    language: str
    route: RouteRule
    need: str  # pathways.seal.NEEDS_*
    summary: str


def seal_one_step_away(
    *, student_ids: Iterable[int], school_year: SchoolYear, routes: list[RouteRule]
) -> list[WorklistEntry]:
    """For each of these students, each language and route of `routes` that is one requirement away (needs an
    assessment, one more unit, a C or better in a course taken, or the tribal certification) by the end of
    `school_year`; the seal already awarded in a language leaves it out. Four queries."""
    entries = []
    for student_id, facts in seal_facts(student_ids=student_ids, school_year=school_year).items():
        for key, language in sorted(facts.languages().items()):
            if key in facts.awards:
                continue
            for rule in routes:
                if not rule.serves(language):
                    continue
                progress = route_progress(facts, rule, language)
                step = progress.one_step_away
                if step is not None and progress.started:
                    entries.append(WorklistEntry(student_id, language, rule, step.need, progress.summary()))
    return entries


def language_spellings() -> dict[str, str]:
    """How the district writes each language it has a route or a world-language course in, casefolded: the
    spelling a typed or imported language is stored in ("spanish" is kept as "Spanish"). Two queries."""
    spellings: dict[str, str] = {}
    for languages in SealPathway.objects.values_list("languages", flat=True):
        for name in languages.split(","):
            if name.strip():
                spellings.setdefault(name.strip().casefold(), name.strip())
    for name in Course.objects.filter(is_world_language=True).values_list("language", flat=True).distinct():
        spellings.setdefault(name.strip().casefold(), name.strip())
    return spellings
