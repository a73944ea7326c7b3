"""Seal routes: `active` becomes a status (active: offered; inactive: proposed), the free-text assessment moves
into the description, a blank minimum grade becomes C and a blank language list Spanish (the only language a
route served before routes named theirs). Course grades are put on the letter scale (A+ to F); a numeric grade
is read by the district's NUMERIC_GRADE_SCALE and kept; anything else is cleared, its value kept in history."""

from decimal import Decimal, InvalidOperation

from django.db import migrations

LETTERS = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")


def _letter(number, scale):
    return next((letter for letter, low in scale if number >= low), "F")


def forwards(apps, schema_editor):
    from django.conf import settings

    SealPathway = apps.get_model("pathways", "SealPathway")
    for route in SealPathway.objects.all():
        route.status = "offered" if route.active else "proposed"
        if route.route == "other":
            route.route = "four_courses"
        if route.assessment and route.assessment not in route.description:
            route.description = "\n".join(p for p in (route.description, f"Assessment: {route.assessment}") if p)
        route.minimum_course_grade = (route.minimum_course_grade or "C").strip().upper()
        if route.minimum_course_grade not in LETTERS:
            route.minimum_course_grade = "C"
        route.languages = route.languages.strip() or "Spanish"
        route.save(update_fields=["status", "route", "description", "minimum_course_grade", "languages"])
    CourseCompletion = apps.get_model("pathways", "CourseCompletion")
    for completion in CourseCompletion.objects.exclude(final_grade="").only("final_grade"):
        text = completion.final_grade.strip().upper().replace(" ", "")
        if text in LETTERS:
            completion.final_grade = text
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite() and 0 <= number <= 100:
                completion.numeric_grade = number.quantize(Decimal("0.1"))
                completion.final_grade = _letter(number, settings.NUMERIC_GRADE_SCALE)
            else:
                completion.final_grade = ""
        completion.save(update_fields=["final_grade", "numeric_grade"])


def backwards(apps, schema_editor):
    SealPathway = apps.get_model("pathways", "SealPathway")
    for route in SealPathway.objects.all():
        route.active = route.status == "offered"
        route.save(update_fields=["active"])


class Migration(migrations.Migration):
    dependencies = [("pathways", "0002_seal_routes_assessments_and_grades")]

    operations = [migrations.RunPython(forwards, backwards)]
