import io
import json

import pytest
from django.core.management import CommandError, call_command

from reports.selectors import Scope, board_report
from reports.services import rollups_refresh
from tests.factories import CredentialAwardFactory, EnrollmentFactory, ProgramOfStudyFactory, SchoolFactory, school_year

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("board_report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_the_selectors_numbers_unsuppressed():
    year, baseline = school_year("2024-25"), school_year("2023-24")
    school = SchoolFactory(code="SHS")
    CredentialAwardFactory(student=EnrollmentFactory(school_year=year, school=school, special_education=True).student)
    EnrollmentFactory(school_year=baseline, school=school)
    rollups_refresh()  # the factories wrote without the services
    printed = _run("--year", "2024-25", "--baseline", "2023-24", "--school", "shs", "--json")
    expected = board_report(school_year=year, baseline=baseline, scope=Scope(school=school))
    assert printed["current"] == json.loads(json.dumps(expected["current"]))
    assert printed["current"]["by_group"]["special_education"]["earners"] == 1
    assert printed["baseline_year"] == "2023-24"
    assert printed["suppressed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2019-20"], "there is no school year 2019-20 on record"),
        (["--year", "twenty"], "'twenty' is not a school year like 2024-25"),
        (["--year", "2024-25", "--baseline", "2010-11"], "--baseline: there is no school year 2010-11"),
        (["--year", "2024-25", "--school", "NOPE"], "no school has the code 'NOPE'"),
        (["--year", "2024-25", "--program", "NOPE"], "no program of study has the code 'NOPE'"),
    ],
)
def test_an_unknown_year_school_or_program_is_a_clear_error(args, message):
    EnrollmentFactory(school_year=school_year("2024-25"))
    ProgramOfStudyFactory(code="WELD")
    with pytest.raises(CommandError, match=message):
        _run(*args, "--json")


def test_the_command_exits_non_zero_on_a_bad_year(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "board_report", "--year", "1800-01", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "not a school year like 2024-25" in result.stderr


def test_suppressed_prints_what_a_board_viewer_gets_from_the_api_and_refuses_a_program(client):
    from accounts.models import Role
    from tests.factories import user_with_role

    year = school_year("2024-25")
    big, small = SchoolFactory(code="BIG"), SchoolFactory(code="ALT")
    for school, students in ((big, 30), (small, 3)):
        for n in range(students):
            student = EnrollmentFactory(school_year=year, school=school, grade=11).student
            if n < 12:
                CredentialAwardFactory(student=student)
    printed = _run("--year", "2024-25", "--school", "BIG", "--suppressed", "--json")
    client.force_login(user_with_role(Role.BOARD_VIEWER))
    api = client.get("/api/reports/board", {"year": "2024-25", "school": "BIG"}).json()
    assert printed["suppressed"] is True
    assert printed["current"] == api["current"]
    # BIG alone would give ALT's 3 students as the district's 33 minus BIG's 30.
    assert printed["current"]["enrolled_students"] == "*"
    ProgramOfStudyFactory(code="WELD")
    with pytest.raises(CommandError, match="--program: Suppressed numbers cannot be filtered by program"):
        _run("--year", "2024-25", "--program", "WELD", "--suppressed", "--json")
