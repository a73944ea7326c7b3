"""The seal rules: for each student and language, whether the New Mexico Seal of Bilingualism-Biliteracy is
earned, eligible, on track or not on a route, from the routes as data (SealPathway).

Pure functions over facts loaded beforehand (pathways.selectors.seal_facts and seal_route_rules load them for
many students in a few queries), so the student page, the worklist, the award check and the what-if share one
rule and never run a query per student.

A route's requirements, each only where the route asks for it:
- units: the route's courses in the language, passed, with the route's minimum grade or better (a passed
  course without a grade counts only where the route allows it); a course taken twice counts once, by its best
  attempt; English and ESL courses never count, whatever a route lists;
- an assessment: a result in the language on one of the route's accepted assessments at its minimum score or
  higher, or, where the route accepts one, an approved portfolio in the language;
- a tribal certification in the language (the tribal-language route, under the MOU).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pathways.grades import grade_at_least

EARNED = "earned"
ELIGIBLE = "eligible"
ON_TRACK = "on_track"
NOT_ON_ROUTE = "not_on_route"
STATUS_LABELS = {EARNED: "Earned", ELIGIBLE: "Eligible", ON_TRACK: "On track", NOT_ON_ROUTE: "Not on a route"}

PORTFOLIO = "portfolio"
TRIBAL_CERTIFICATION = "tribal_certification"

# What one missing requirement is, as the worklist names it.
NEEDS_ASSESSMENT = "assessment"
NEEDS_UNIT = "unit"
NEEDS_GRADE = "grade"
NEEDS_CERTIFICATION = "certification"
NEEDS_LABELS = {
    NEEDS_ASSESSMENT: "Needs an assessment",
    NEEDS_UNIT: "Needs one more unit",
    NEEDS_GRADE: "Needs a C or better",
    NEEDS_CERTIFICATION: "Needs the tribal certification",
}


@dataclass(frozen=True)
class CourseTaken:
    course_id: int
    name: str
    language: str
    counts_for_seal: bool  # a language other than English (pathways.models.counts_for_seal)
    credits: Decimal
    passed: bool
    grade: str  # A+ to F, "" when none is on record
    start_year: int


@dataclass(frozen=True)
class ScoreOnRecord:
    assessment_id: int
    assessment: str
    language: str
    score: int


@dataclass
class SealFacts:
    """What one student has on record that a route can ask about."""

    student_id: int
    courses: list[CourseTaken] = field(default_factory=list)
    results: list[ScoreOnRecord] = field(default_factory=list)
    evidence: set[tuple[str, str]] = field(default_factory=set)  # (kind, language)
    # language casefolded: (language, route id, route name)
    awards: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def languages(self) -> dict[str, str]:
        """Every language the student has something on record in, casefolded: as first written."""
        found: dict[str, str] = {}
        names = [c.language for c in self.courses if c.counts_for_seal]
        names += [r.language for r in self.results] + [a[0] for a in self.awards.values()]
        names += [language for _, language in self.evidence]
        for name in names:
            found.setdefault(name.casefold(), name)
        return found


@dataclass(frozen=True)
class RouteRule:
    """A seal route as the rules read it (built from SealPathway by pathways.selectors.seal_route_rules)."""

    id: int
    name: str
    kind: str
    status: str
    languages: tuple[str, ...]
    course_ids: frozenset[int] = frozenset()
    units_required: int = 0
    minimum_grade: str = "C"
    counts_passed_without_grade: bool = False
    accepts_portfolio: bool = False
    accepted: tuple[tuple[int, str, int], ...] = ()  # (assessment id, name, minimum score)
    needs_certification: bool = False

    def serves(self, language: str) -> bool:
        return language.casefold() in {lang.casefold() for lang in self.languages}

    @property
    def needs_assessment(self) -> bool:
        return bool(self.accepted) or self.accepts_portfolio


@dataclass(frozen=True)
class Missing:
    need: str  # NEEDS_*
    units: Decimal = Decimal(0)  # units short (NEEDS_UNIT and NEEDS_GRADE)
    courses: tuple[str, ...] = ()  # NEEDS_GRADE: the courses taken below the route's grade


@dataclass
class RouteProgress:
    route: RouteRule
    language: str
    units_done: Decimal = Decimal(0)
    counted: list[str] = field(default_factory=list)  # course names counted, in the order taken
    below_grade: list[str] = field(default_factory=list)
    assessment: str = ""  # what met the assessment requirement ("AP Spanish Language 4", "Portfolio")
    certified: bool = False
    missing: list[Missing] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return not self.missing

    @property
    def started(self) -> bool:
        return self.units_done > 0 or bool(self.assessment) or self.certified

    @property
    def one_step_away(self) -> Missing | None:
        """The one requirement left, when exactly one is left and it is one step: an assessment, the
        certification, one more unit, or a C or better in a course already taken."""
        if len(self.missing) != 1:
            return None
        only = self.missing[0]
        if only.need in (NEEDS_UNIT, NEEDS_GRADE) and only.units > 1:
            return None  # two units short, or two courses to raise to the route's grade: two steps
        return only

    def summary(self) -> str:
        """'3 of 4 units at C or better (Spanish I, Spanish II, Spanish III); missing: 1 unit and an assessment'."""
        parts = []
        rule = self.route
        if rule.units_required:
            done = _units(min(self.units_done, Decimal(rule.units_required)))
            text = f"{done} of {rule.units_required} units at {rule.minimum_grade} or better"
            if self.counted:
                text += f" ({', '.join(self.counted)})"
            parts.append(text)
        if self.assessment:
            parts.append(self.assessment)
        if self.certified:
            parts.append("tribal certification")
        text = "; ".join(parts) if parts else "nothing yet"
        if self.missing:
            text += "; missing: " + _and([_missing_text(m, rule) for m in self.missing])
        return text


@dataclass
class LanguageStatus:
    language: str
    status: str
    route: RouteRule | None = None  # earned: the route recorded; else the best route evaluated
    progress: RouteProgress | None = None
    routes: list[RouteProgress] = field(default_factory=list)  # every route considered for the language

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def describe(self) -> str:
        if self.status == EARNED:
            return f"{self.language}: seal earned ({self.route.name if self.route else 'route on record'})"
        if self.status == NOT_ON_ROUTE:
            return f"{self.language}: not on a route"
        prefix = "eligible" if self.status == ELIGIBLE else "on track"
        return f"{self.language}: {prefix} by {self.progress.route.name}, {self.progress.summary()}"


def _units(value: Decimal) -> str:
    return f"{value.normalize():f}" if value != value.to_integral() else str(int(value))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _missing_text(missing: Missing, rule: RouteRule) -> str:
    if missing.need == NEEDS_ASSESSMENT:
        return "an assessment or an approved portfolio" if rule.accepts_portfolio else "an assessment"
    if missing.need == NEEDS_CERTIFICATION:
        return "the tribal certification"
    units = f"{_units(missing.units)} unit{'' if missing.units == 1 else 's'}"
    if missing.need == NEEDS_GRADE:
        return f"{units} ({rule.minimum_grade} or better in {', '.join(missing.courses)})"
    return units


def route_progress(facts: SealFacts, rule: RouteRule, language: str) -> RouteProgress:
    """How far `facts` go toward `rule` in `language`."""
    progress = RouteProgress(route=rule, language=language)
    key = language.casefold()
    if rule.units_required:
        best: dict[int, CourseTaken] = {}
        below: dict[int, CourseTaken] = {}
        for taken in sorted(facts.courses, key=lambda c: (c.start_year, c.name)):
            if taken.course_id not in rule.course_ids or not taken.counts_for_seal or taken.language.casefold() != key:
                continue
            if _counts(taken, rule):
                best.setdefault(taken.course_id, taken)
            elif taken.grade and taken.passed:
                below.setdefault(taken.course_id, taken)
        for course_id in best:
            below.pop(course_id, None)
        progress.units_done = sum((c.credits for c in best.values()), Decimal(0))
        progress.counted = [c.name for c in best.values()]
        progress.below_grade = [c.name for c in below.values()]
        short = Decimal(rule.units_required) - progress.units_done
        if short > 0:
            raising = sum((c.credits for c in below.values()), Decimal(0))
            if below and raising >= short:
                progress.missing.append(Missing(NEEDS_GRADE, short, tuple(progress.below_grade)))
            else:
                progress.missing.append(Missing(NEEDS_UNIT, short))
    if rule.needs_assessment:
        minimums = {assessment_id: (name, low) for assessment_id, name, low in rule.accepted}
        passing = [
            r for r in facts.results
            if r.language.casefold() == key and r.assessment_id in minimums and r.score >= minimums[r.assessment_id][1]
        ]  # fmt: skip
        if passing:
            top = max(passing, key=lambda r: r.score)
            progress.assessment = f"{top.assessment} {top.score}"
        elif rule.accepts_portfolio and (PORTFOLIO, key) in _evidence(facts):
            progress.assessment = "approved portfolio"
        else:
            progress.missing.append(Missing(NEEDS_ASSESSMENT))
    if rule.needs_certification:
        progress.certified = (TRIBAL_CERTIFICATION, key) in _evidence(facts)
        if not progress.certified:
            progress.missing.append(Missing(NEEDS_CERTIFICATION))
    return progress


def _evidence(facts: SealFacts) -> set[tuple[str, str]]:
    return {(kind, language.casefold()) for kind, language in facts.evidence}


def _counts(taken: CourseTaken, rule: RouteRule) -> bool:
    if not taken.passed:
        return False
    if not taken.grade:
        return rule.counts_passed_without_grade
    return grade_at_least(taken.grade, rule.minimum_grade)


def _rank(progress: RouteProgress) -> tuple:
    # Fewest requirements left, then the most units done, then the route's name (a stable choice).
    return (len(progress.missing), -progress.units_done, progress.route.name)


def language_status(facts: SealFacts, routes: Iterable[RouteRule], language: str) -> LanguageStatus:
    """One language's status over `routes` (the routes in force: offered ones, plus a proposed one for a what-if)."""
    key = language.casefold()
    if key in facts.awards:
        name, route_id, route_name = facts.awards[key]
        rule = next((r for r in routes if r.id == route_id), None)
        return LanguageStatus(name, EARNED, route=rule or RouteRule(route_id, route_name, "", "", (name,)))
    considered = sorted((route_progress(facts, r, language) for r in routes if r.serves(language)), key=_rank)
    met = [p for p in considered if p.met]
    if met:
        return LanguageStatus(language, ELIGIBLE, route=met[0].route, progress=met[0], routes=considered)
    started = [p for p in considered if p.started]
    if started:
        return LanguageStatus(language, ON_TRACK, route=started[0].route, progress=started[0], routes=considered)
    return LanguageStatus(language, NOT_ON_ROUTE, routes=considered)


def seal_statuses(facts: SealFacts, routes: Iterable[RouteRule]) -> list[LanguageStatus]:
    """The student's status in every language they have something on record in, by language name."""
    routes = list(routes)
    return [language_status(facts, routes, name) for _, name in sorted(facts.languages().items())]


def routes_in_force(routes: Iterable[RouteRule], *, what_if: RouteRule | None = None) -> list[RouteRule]:
    """The offered routes, and `what_if` (a proposed route) as if it were offered."""
    chosen = [r for r in routes if r.status == "offered"]
    if what_if is not None and all(r.id != what_if.id for r in chosen):
        chosen.append(what_if)
    return chosen


@dataclass(frozen=True)
class WhatIfGain:
    """Students who would move up if a proposed route opened: newly eligible, and newly on track (neither
    eligible nor on track today)."""

    eligible: set[int]
    on_track: set[int]


def status_gains(
    facts: SealFacts, today: list[RouteRule], opened: list[RouteRule], proposed: RouteRule
) -> list[LanguageStatus]:
    """The student's statuses, in the proposed route's languages, that opening it would improve: eligible where
    they are not eligible today, on track where they are on no route today (`today`: the routes in force;
    `opened`: the same with `proposed`, see routes_in_force)."""
    gains = []
    for language in proposed.languages:
        before = language_status(facts, today, language).status
        after = language_status(facts, opened, language)
        if (after.status == ELIGIBLE and before != ELIGIBLE and before != EARNED) or (
            after.status == ON_TRACK and before == NOT_ON_ROUTE
        ):
            gains.append(after)
    return gains


def what_if_gain(facts: Iterable[SealFacts], routes: list[RouteRule], proposed: RouteRule) -> WhatIfGain:
    """Evaluate every student twice with the same rules, today's routes and today's plus `proposed`, and keep
    those whose status in one of the route's languages improves."""
    today, opened = routes_in_force(routes), routes_in_force(routes, what_if=proposed)
    eligible, on_track = set(), set()
    for student in facts:
        for gain in status_gains(student, today, opened, proposed):
            (eligible if gain.status == ELIGIBLE else on_track).add(student.student_id)
    return WhatIfGain(eligible=eligible, on_track=on_track)
