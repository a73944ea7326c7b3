"""Seal routes' `active` becomes their status and course grades go on the letter scale, and back on reverse."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("pathways", "0001_initial")]
AFTER = [("pathways", "0004_seal_route_constraints_drop_active")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_active_routes_become_offered_inactive_proposed_and_grades_go_on_the_letter_scale():
    try:
        apps = migrate(BEFORE)
        Route = apps.get_model("pathways", "SealPathway")
        Route.objects.create(code="H", name="Heritage", route="heritage", assessment="STAMP 4S", languages="Spanish")
        Route.objects.create(code="T", name="Tribal", route="tribal_mou", active=False, minimum_course_grade="")
        Student = apps.get_model("students", "Student")
        Year = apps.get_model("students", "SchoolYear")
        Course = apps.get_model("pathways", "Course")
        student = Student.objects.create(local_id="1", first_name="A", last_name="B")
        year = Year.objects.create(start_year=2024, label="2024-25", start_date="2024-07-01", end_date="2025-06-30")
        for code, grade in (("C1", " b+"), ("C2", "74"), ("C3", "Pass")):
            course = Course.objects.create(code=code, name=code)
            apps.get_model("pathways", "CourseCompletion").objects.create(
                student=student, course=course, school_year=year, final_grade=grade
            )
        apps = migrate(AFTER)
        routes = {r.code: r for r in apps.get_model("pathways", "SealPathway").objects.all()}
        assert (routes["H"].status, routes["T"].status) == ("offered", "proposed")
        assert routes["H"].description == "Assessment: STAMP 4S"
        assert (routes["T"].languages, routes["T"].minimum_course_grade) == ("Spanish", "C")
        grades = dict(apps.get_model("pathways", "CourseCompletion").objects.values_list("course__code", "final_grade"))
        assert grades == {"C1": "B+", "C2": "C", "C3": ""}
        numeric = apps.get_model("pathways", "CourseCompletion").objects.get(course__code="C2").numeric_grade
        assert numeric == Decimal("74.0")
        apps = migrate(BEFORE)
        active = dict(apps.get_model("pathways", "SealPathway").objects.values_list("code", "active"))
        assert active == {"H": True, "T": False}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
