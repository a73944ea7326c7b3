"""The board report's figures are declared once (reports/metrics.py): the selectors, the tables, the cards, the
goals and suppression all follow the declarations."""

from datetime import date

import pytest

from pathways.models import SealRouteAssessment
from reports import metrics, tables
from reports.metrics import BREAKDOWNS, HEADLINE, GoalStatus, Kind
from reports.models import Goal
from reports.selectors import Scope, board_report
from reports.services import rollups_refresh
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    CourseCompletionFactory,
    CourseFactory,
    CredentialAwardFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    SchoolFactory,
    SealAwardFactory,
    SealPathwayFactory,
    StudentFactory,
    school_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    year = school_year("2024-25")
    school = SchoolFactory(code="N", name="North <High>")
    course = ProgramCourseFactory(position=1).course
    spanish = CourseFactory(code="SPAN1", is_world_language=True, language="Spanish")
    heritage = SealPathwayFactory(name="Heritage", route="heritage")
    SealRouteAssessment.objects.create(route=heritage, assessment=AssessmentFactory(), minimum_score=3)
    four = SealPathwayFactory(name="Four courses", status="proposed", units_required=1, accepts_portfolio=True)
    four.courses.add(spanish)
    for i in range(4):
        student = StudentFactory()
        EnrollmentFactory(student=student, school_year=year, school=school, grade=11, special_education=i == 0)
        CourseCompletionFactory(student=student, course=course, school_year=year)
        if i < 3:
            CredentialAwardFactory(student=student, earned_on=date(2024, 10, 1 + i))
        CourseCompletionFactory(student=student, course=spanish, school_year=year, final_grade="B")
        AssessmentResultFactory(student=student, score=2 + i, taken_on=date(2024, 11, 1))  # 2 short; 3 to 5 eligible
    SealAwardFactory(student=student, pathway=heritage, awarded_on=date(2025, 5, 1))
    rollups_refresh()
    return board_report(school_year=year, baseline=None, scope=Scope())


def test_every_declared_headline_figure_is_in_the_report_in_the_declared_order(report):
    assert [key for key in report["current"] if key in metrics.HEADLINE_BY_KEY] == [m.key for m in HEADLINE]
    assert report["current"]["discrete_earners"] == 3
    assert report["current"]["earner_rate"] == 0.75  # worked out from the counts it is declared on
    assert report["current"]["credentials_per_earner"] == 1.0
    # One seal earner (not a credential earner for it), two eligible by the heritage route's AP minimum.
    assert (report["current"]["seal_earners"], report["current"]["seal_eligible"]) == (1, 2)


def test_every_declared_breakdown_column_is_in_its_rows(report):
    for breakdown in BREAKDOWNS:
        rows = report["current"][breakdown.key]
        rows = list(rows.values()) if breakdown.keyed else rows
        assert rows, breakdown.key
        for row in rows:
            assert {column.key for column in breakdown.columns} <= set(row), breakdown.key


def test_the_headline_table_has_one_row_per_declared_figure_with_its_heading_and_percent_rows(report):
    table = tables.headline_table(report)
    assert [row[0] for row in table.rows] == [m.heading for m in HEADLINE]
    rate_row = next(i for i, m in enumerate(HEADLINE) if m.key == "earner_rate")
    count_row = next(i for i, m in enumerate(HEADLINE) if m.key == "discrete_earners")
    assert table.rows[rate_row][1] == 75.0
    assert table.mode(rate_row, 1) == tables.Mode.PERCENT
    assert table.mode(count_row, 1) == tables.Mode.PLAIN
    assert table.mode(rate_row, 3) == tables.Mode.POINTS and table.mode(count_row, 3) == tables.Mode.PLAIN


def test_table_cells_are_formatted_and_escaped_in_the_body_html(report):
    html = tables.schools_table(report).body_html
    assert "North &lt;High&gt; (N)" in html and "<High>" not in html
    assert '<td class="text-end">75.0%</td>' in html  # the rate column as a percentage
    assert "Nothing to show" in tables.Table("x", "X", ["A", "B"], []).body_html


def test_suppression_reads_the_declarations():
    assert {m.key for m in HEADLINE if m.kind is Kind.COUNT} <= metrics.COUNT_KEYS
    assert metrics.DERIVED_FROM["earner_rate"] == ("discrete_earners", "enrolled_students")
    # "rate" is a row's earners over its enrolled students, or over a program's participants.
    assert set(metrics.DERIVED_FROM["rate"]) == {"earners", "enrolled", "participants"}
    assert ("by_school", "earners", "discrete_earners") in metrics.PARTITIONS
    assert metrics.NESTED_IN[("by_program", "*", "completers")] == (
        ("by_program", "*", "concentrators"),
        ("completers",),
    )


def test_every_goal_metric_is_a_declared_headline_figure_and_its_inputs_come_from_it():
    for choice in Goal.Metric:
        metric = metrics.HEADLINE_BY_KEY[choice.value]
        assert (metric.kind is Kind.RATE) == (choice in Goal.RATE_METRICS)
        assert metrics.goal_inputs(choice.value) == (metric.derived_from or (metric.key,))


def test_goal_statuses_are_constants_that_read_and_serialise_as_their_words():
    import json

    assert json.dumps({"status": GoalStatus.ON_TRACK}) == '{"status": "on track"}'
    assert f"{GoalStatus.IN_PROGRESS}" == "in progress"


def test_the_typed_shape_of_a_period_lists_the_declared_figures_and_breakdowns():
    from reports.selectors import PeriodFigures

    keys = list(PeriodFigures.__annotations__)
    assert keys[: len(HEADLINE)] == [m.key for m in HEADLINE]
    assert keys[len(HEADLINE) : len(HEADLINE) + len(BREAKDOWNS)] == [b.key for b in BREAKDOWNS]
