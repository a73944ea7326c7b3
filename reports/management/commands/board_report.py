"""python manage.py board_report --year 2024-25 [--baseline 2023-24] [--school CODE] [--program CODE]
[--as-of 2024-12-01 | --full-year] [--suppressed] --json"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from pathways.models import ProgramOfStudy
from reports.published import board_shown
from reports.selectors import (
    POPULATIONS,
    Scope,
    as_of_problem,
    baseline_problem,
    report_as_of,
    school_years_on_record,
    seal_summary,
)
from reports.suppression import suppressed_period
from students.models import School, SchoolYear, parse_school_year_label


def _year(label: str, option: str) -> SchoolYear:
    try:
        start_year = parse_school_year_label(label)
    except ValueError as error:
        raise CommandError(f"{option}: {error}") from None
    year = SchoolYear.objects.filter(start_year=start_year).first()
    if year is None:
        known = ", ".join(y.label for y in SchoolYear.objects.all()) or "none"
        raise CommandError(f"{option}: there is no school year {label} on record (known: {known}).")
    return year


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: '{text}' is not a date like 2024-12-01.") from None


class Command(BaseCommand):
    help = "The board dashboard's numbers for a school year against a baseline, exact unless --suppressed."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="School year, e.g. 2024-25.")
        parser.add_argument("--baseline", help="Baseline school year, e.g. 2023-24 (none when left out).")
        parser.add_argument("--school", help="A school's code.")
        parser.add_argument("--program", help="A program of study's code.")
        parser.add_argument("--population", default="all", choices=list(POPULATIONS), help="Whose numbers.")
        period = parser.add_mutually_exclusive_group()
        period.add_argument(
            "--as-of",
            help="Year to date: count awards up to this day (e.g. 2024-12-01) and the baseline's up to the same day "
            "of its school year. Default: today while the year is under way.",
        )
        period.add_argument("--full-year", action="store_true", help="Whole school years, no cut-off.")
        parser.add_argument(
            "--suppressed",
            action="store_true",
            help="Small counts hidden, exactly as a board viewer sees them (a year under way to the end of its last "
            "complete month).",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON (the only format today).")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args, **options):
        year = _year(options["year"], "--year")
        baseline = _year(options["baseline"], "--baseline") if options["baseline"] else None
        if baseline is not None and (problem := baseline_problem(school_year=year, baseline=baseline)):
            raise CommandError(f"--baseline: {problem}")
        given = _day(options["as_of"]) if options["as_of"] else None
        if given is not None and (problem := as_of_problem(school_year=year, as_of=given)):
            raise CommandError(f"--as-of: {problem}")
        as_of = report_as_of(school_year=year, as_of=given, full_year=options["full_year"])
        school = None
        if options["school"]:
            matches = list(School.objects.filter(code__iexact=options["school"])[:2])
            if len(matches) != 1:
                raise CommandError(
                    f"--school: {'no' if not matches else 'more than one'} school has the code {options['school']!r}."
                )
            school = matches[0]
        program = None
        if options["program"]:
            program = ProgramOfStudy.objects.filter(code__iexact=options["program"]).first()
            if program is None:
                raise CommandError(f"--program: no program of study has the code {options['program']!r}.")
        scope = Scope(school=school, program=program, population=options["population"])
        if options["suppressed"]:
            # As a board viewer: a year under way only to its release cut-off (docs/metrics.md, Year to date).
            refusal, as_of = suppressed_period(
                scope=scope, school_year=year, as_of=given, full_year=options["full_year"]
            )
            if refusal is not None:
                raise CommandError(f"--{refusal[0].replace('_', '-')}: {refusal[1]}")
        on_record = school_years_on_record()
        shown = board_shown(
            school_year=year,
            baseline=baseline,
            scope=scope,
            as_of=as_of,
            trend_years=on_record,
            exact=not options["suppressed"],
            stale_ok=False,  # a command waits for current figures
        )
        report, goals = shown["report"], shown["goals"]
        report["seal"] = seal_summary(report["current"])
        report["goals"] = goals
        report["suppressed"] = options["suppressed"]
        self.stdout.write(json.dumps(report, indent=options["indent"] or None, default=str, ensure_ascii=False))
