"""What the board report measures, declared once: every figure's key, label, kind, what it is built on and how
small-cell suppression treats it, and every breakdown's rows.

The selectors (reports/selectors.py) compute the figures under these keys; the suppression rules
(reports/suppression.py), the tables of the page, the packet and the CSVs (reports/tables.py), the headline
cards and the goals read the declarations below, so a figure is added in one place (docs/how-to-add.md, "A
figure on the board report"). docs/metrics.md defines each figure for a reader outside the code.

A *path* names a count inside one period's figures: ("discrete_earners",) for a headline count,
("by_group", "*", "earners") for a column of a breakdown's rows, "*" standing for any one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

Path = tuple[str, ...]


class Kind(StrEnum):
    """How a figure is shown and suppressed."""

    COUNT = "count"  # students or awards: hidden when small, or when the block rule cannot show it
    RATE = "rate"  # a fraction of two counts, shown as a percentage; hidden with any count it is built on
    RATIO = "ratio"  # a quotient of two counts shown as it is (credentials per earner); hidden the same way
    POINTS = "points"  # a difference of two rates, in percentage points (a group's gap)


@dataclass(frozen=True)
class Metric:
    """One figure. `derived_from`: the counts a rate, ratio or gap is built on (any one hidden hides it).
    `nested_in`: the counts of the same report this count counts some of (earners are some of the students
    enrolled), so the block rule also checks what lies between them. `course_built`: built on course history,
    so "no data" for a year with none on record. `card`: shown as a headline card on the dashboard."""

    key: str
    label: str
    kind: Kind = Kind.COUNT
    derived_from: tuple[str, ...] = ()
    nested_in: tuple[Path, ...] = ()
    course_built: bool = False
    card: bool = False

    @property
    def is_rate(self) -> bool:
        return self.kind is Kind.RATE

    @property
    def heading(self) -> str:
        """The label as a table heading says it: a rate says it is a percentage."""
        return f"{self.label} (%)" if self.kind is Kind.RATE else self.label


# The headline of one period, in the order the page, the packet and the JSON give it.
HEADLINE: tuple[Metric, ...] = (
    Metric("enrolled_students", "Students enrolled", card=True),
    Metric(
        "discrete_earners",
        "Students earning at least one credential",
        nested_in=(("enrolled_students",),),
        card=True,
    ),
    Metric("earner_rate", "Earner rate", Kind.RATE, derived_from=("discrete_earners", "enrolled_students"), card=True),
    Metric("credentials_awarded", "Credentials awarded", card=True),
    Metric(
        "credentials_per_earner",
        "Credentials per earner",
        Kind.RATIO,
        derived_from=("credentials_awarded", "discrete_earners"),
        card=True,
    ),
    Metric("first_time_earners", "First-time earners", nested_in=(("discrete_earners",),), card=True),
    Metric("concentrators", "CTE concentrators", nested_in=(("enrolled_students",),), course_built=True),
    Metric("completers", "CTE completers", nested_in=(("concentrators",),), course_built=True),
    Metric(
        "completion_rate",
        "Completion rate",
        Kind.RATE,
        derived_from=("completers", "concentrators"),
        course_built=True,
    ),
    # The Seal of Bilingualism-Biliteracy: never counted among credential earners (seal awards are not awards).
    Metric("seal_earners", "Seal of Bilingualism-Biliteracy earners", nested_in=(("enrolled_students",),)),
    Metric(
        "seal_eligible",
        "Eligible for the seal, not yet awarded",
        nested_in=(("enrolled_students",),),
        course_built=True,
    ),
    Metric("seal_on_track", "On track for the seal", nested_in=(("enrolled_students",),), course_built=True),
)
HEADLINE_BY_KEY = {metric.key: metric for metric in HEADLINE}


@dataclass(frozen=True)
class Breakdown:
    """One breakdown of a period's figures: its rows (`keyed`: a dict by code, else a list of rows each with its
    `code`), the figures of each row, and which row columns add up to a headline count (`adds_up`, column ->
    headline key: every student or award is in exactly one row, so a small row could be worked out from the
    total). `is_school`: its rows are the school filter's cells. `course_built`: built on course history."""

    key: str
    keyed: bool
    columns: tuple[Metric, ...]
    adds_up: dict[str, str] = field(default_factory=dict)
    is_school: bool = False
    course_built: bool = False

    def empty(self) -> dict | list:
        return {} if self.keyed else []


_ROW = "*"
_ENROLLED_EARNERS = (
    Metric("enrolled", "Enrolled"),
    Metric("earners", "Earners"),
    Metric("rate", "Rate", Kind.RATE, derived_from=("earners", "enrolled")),
)

# In the order of a period's figures.
BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(
        "by_credential",
        keyed=False,
        columns=(
            Metric("students", "Students", nested_in=(("discrete_earners",),)),
            Metric("awards", "Awards"),
        ),
        adds_up={"awards": "credentials_awarded"},
    ),
    Breakdown(
        "by_group",
        keyed=True,
        columns=(
            Metric("enrolled", "Enrolled", nested_in=(("enrolled_students",),)),
            Metric("earners", "Earners", nested_in=(("by_group", _ROW, "enrolled"), ("discrete_earners",))),
            Metric("rate", "Rate", Kind.RATE, derived_from=("earners", "enrolled")),
            Metric("gap", "Gap", Kind.POINTS, derived_from=("earners", "enrolled")),
        ),
    ),
    Breakdown(
        "by_grade",
        keyed=True,
        columns=(
            *_ENROLLED_EARNERS,
            Metric("seal_eligible", "Eligible for the seal"),
            Metric("seal_on_track", "On track for the seal"),
        ),
        adds_up={
            "enrolled": "enrolled_students",
            "earners": "discrete_earners",
            "seal_eligible": "seal_eligible",
            "seal_on_track": "seal_on_track",
        },
    ),
    Breakdown(
        "by_school",
        keyed=True,
        columns=_ENROLLED_EARNERS,
        adds_up={"enrolled": "enrolled_students", "earners": "discrete_earners"},
        is_school=True,
    ),
    Breakdown(
        "by_program",
        keyed=False,
        columns=(
            Metric("participants", "Participants", nested_in=(("enrolled_students",),)),
            Metric("earners", "Earners", nested_in=(("by_program", _ROW, "participants"), ("discrete_earners",))),
            Metric("rate", "Earner rate", Kind.RATE, derived_from=("earners", "participants")),
            Metric(
                "concentrators",
                "Concentrators",
                nested_in=(("by_program", _ROW, "participants"), ("concentrators",)),
            ),
            Metric("completers", "Completers", nested_in=(("by_program", _ROW, "concentrators"), ("completers",))),
            Metric("completion_rate", "Completion rate", Kind.RATE, derived_from=("completers", "concentrators")),
        ),
        course_built=True,
    ),
    # A student with the seal in two languages is in both rows; a row counts some of the headline's students.
    Breakdown(
        "seal_by_language",
        keyed=True,
        columns=(
            Metric("earners", "Seal earners", nested_in=(("seal_earners",),)),
            Metric("eligible", "Eligible, not yet awarded", nested_in=(("seal_eligible",),)),
            Metric("on_track", "On track", nested_in=(("seal_on_track",),)),
        ),
    ),
    Breakdown(
        "seal_by_route",
        keyed=True,
        columns=(Metric("earners", "Seal earners", nested_in=(("seal_earners",),)),),
    ),
    # What-if: for each proposed route, the students it would add if it opened (eligible, or on track where
    # they are on no route today), from the same rules.
    Breakdown(
        "seal_what_if",
        keyed=True,
        columns=(
            Metric("eligible", "More eligible", nested_in=(("enrolled_students",),)),
            Metric("on_track", "More on track", nested_in=(("enrolled_students",),)),
        ),
        course_built=True,
    ),
)
BREAKDOWNS_BY_KEY = {breakdown.key: breakdown for breakdown in BREAKDOWNS}

# Headline figures and breakdowns built on course history: "no data" in a year with none on record.
COURSE_BUILT = (
    *(metric.key for metric in HEADLINE if metric.course_built),
    *(breakdown.key for breakdown in BREAKDOWNS if breakdown.course_built),
)


# --- What suppression reads (reports/suppression.py) -----------------------------------------------------

_ALL_METRICS = (*HEADLINE, *(column for breakdown in BREAKDOWNS for column in breakdown.columns))

# The key of every count, wherever it is found in a report.
COUNT_KEYS = frozenset(metric.key for metric in _ALL_METRICS if metric.kind is Kind.COUNT)


def _derived_from() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for metric in _ALL_METRICS:
        if metric.derived_from:
            known = found.get(metric.key, ())
            found[metric.key] = known + tuple(key for key in metric.derived_from if key not in known)
    return found


# Each rate, ratio or gap and the counts it is built on (the same key in two breakdowns: either's counts).
DERIVED_FROM = _derived_from()

# (breakdown, column, headline): columns of a breakdown whose rows add up to a headline count shown with them.
PARTITIONS = tuple(
    (breakdown.key, column, total) for breakdown in BREAKDOWNS for column, total in breakdown.adds_up.items()
)

# Path of a count -> paths of the counts it counts some of (see Metric.nested_in).
NESTED_IN: dict[Path, tuple[Path, ...]] = {
    **{(metric.key,): metric.nested_in for metric in HEADLINE if metric.nested_in},
    **{
        (breakdown.key, _ROW, column.key): column.nested_in
        for breakdown in BREAKDOWNS
        for column in breakdown.columns
        if column.nested_in
    },
}


# --- Goals ---------------------------------------------------------------------------------------------


class GoalStatus(StrEnum):
    """A goal year's status (and a goal's: that of its latest judged year)."""

    ON_TRACK = "on track"
    BEHIND = "behind"
    IN_PROGRESS = "in progress"  # a year under way that has not reached its target yet
    BASELINE = "baseline"
    NO_DATA = "no data"
    SUPPRESSED = "suppressed"  # its actual is hidden from this viewer


# The statuses that judge a goal: its status is that of its latest year with one of these.
JUDGED = (GoalStatus.ON_TRACK, GoalStatus.BEHIND, GoalStatus.SUPPRESSED)


def goal_inputs(metric_key: str) -> tuple[str, ...]:
    """The headline counts a goal's actual value is built on (part first, then whole, for a rate)."""
    metric = HEADLINE_BY_KEY[metric_key]
    return metric.derived_from if metric.derived_from else (metric.key,)
