"""Who sees what: every role against every counselor-workspace URL gets exactly the expected status.

Ana studies at North High this year, Ben at South High. The counselor serves North, the other counselor
South. A student outside a counselor's scope is a 404 (the page does not exist for them), a page their
role may not use at all is a 403, and an anonymous visitor is sent to log in.
"""

import pytest
from django.urls import reverse

from tests.factories import ProgramOfStudyFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "counselor", "other_counselor", "coordinator", "board", "superuser"]
STAFF = {"counselor": 200, "other_counselor": 200, "coordinator": 200, "board": 403, "superuser": 200}
ANA_ONLY = {"counselor": 200, "other_counselor": 404, "coordinator": 200, "board": 403, "superuser": 200}
COORDINATOR_ONLY = {"counselor": 403, "other_counselor": 403, "coordinator": 200, "board": 403, "superuser": 200}
COORDINATOR_POST = {**COORDINATOR_ONLY, "coordinator": 302, "superuser": 302}
EVERYONE = {"counselor": 200, "other_counselor": 200, "coordinator": 200, "board": 200, "superuser": 200}


def matrix(w):
    ana, award = w.ana.pk, w.ana_award.pk
    credential = w.ana_award.credential_id
    batch, waiting = w.import_batch.pk, w.waiting_batch.pk
    program = w.program.pk
    return [
        ("get", reverse("students:list"), STAFF),
        ("get", reverse("students:list") + "?export=csv", STAFF),
        ("get", reverse("students:list") + "?export=xlsx", STAFF),
        ("get", reverse("students:search") + "?q=nunez", STAFF),
        ("htmx", reverse("students:search") + "?q=nunez", STAFF),
        ("get", reverse("students:detail", args=[ana]), ANA_ONLY),
        ("get", reverse("students:award_new", args=[ana]), ANA_ONLY),
        ("get", reverse("students:award_edit", args=[ana, award]), ANA_ONLY),
        ("get", reverse("students:award_delete", args=[ana, award]), ANA_ONLY),
        # Ben's award reached through Ana's URL is never found.
        ("get", reverse("students:award_edit", args=[ana, w.ben_award.pk]), {**ANA_ONLY, "counselor": 404,
                                                                             "coordinator": 404, "superuser": 404}),
        ("get", reverse("students:assessment_new", args=[ana]), ANA_ONLY),
        ("get", reverse("students:seal_award", args=[ana]) + "?language=Spanish", ANA_ONLY),
        # Tribal certifications and portfolio approvals: coordinators, for any student.
        ("get", reverse("students:seal_evidence_new", args=[ana]), COORDINATOR_ONLY),
        ("get", reverse("students:detail", args=[999999]), {**ANA_ONLY, "counselor": 404, "coordinator": 404,
                                                            "superuser": 404}),
        ("get", reverse("credentials:session"), STAFF),
        ("get", reverse("credentials:picker") + "?q=osha", STAFF),
        ("get", reverse("credentials:catalog"), COORDINATOR_ONLY),
        ("get", reverse("credentials:new"), COORDINATOR_ONLY),
        ("get", reverse("credentials:edit", args=[credential]), COORDINATOR_ONLY),
        ("get", reverse("credentials:merge"), COORDINATOR_ONLY),
        ("post", reverse("credentials:toggle_active", args=[credential]),
         {**COORDINATOR_ONLY, "coordinator": 302, "superuser": 302}),
        ("get", reverse("seal_worklist"), STAFF),
        ("get", reverse("seal_worklist") + "?export=csv", STAFF),
        ("get", reverse("seal_routes:list"), COORDINATOR_ONLY),
        ("get", reverse("seal_routes:new"), COORDINATOR_ONLY),
        ("get", reverse("seal_routes:edit", args=[w.seal_route.pk]), COORDINATOR_ONLY),
        ("post", reverse("seal_routes:retire", args=[w.seal_route.pk]), COORDINATOR_POST),
        ("get", reverse("home"), {**STAFF, "board": 302}),
        ("get", reverse("password_change"), EVERYONE),
        ("get", reverse("two_factor_setup"), EVERYONE),
        ("get", reverse("two_factor_verify"), EVERYONE),
        # Imports, the uploaded file itself included: coordinators only, whatever DEBUG says.
        ("get", reverse("imports:list"), COORDINATOR_ONLY),
        ("get", reverse("imports:detail", args=[batch]), COORDINATOR_ONLY),
        ("get", reverse("imports:progress", args=[batch]), COORDINATOR_ONLY),
        ("get", reverse("imports:file", args=[batch]), COORDINATOR_ONLY),
        ("get", reverse("imports:problems", args=[batch]), COORDINATOR_ONLY),
        ("get", reverse("imports:rejected", args=[batch]), COORDINATOR_ONLY),
        ("get", reverse("imports:undo", args=[batch]), COORDINATOR_ONLY),
        ("post", reverse("imports:recheck", args=[waiting]), COORDINATOR_POST),
        ("post", reverse("imports:discard", args=[waiting]), COORDINATOR_POST),
        ("get", reverse("imports:detail", args=[999999]), {**COORDINATOR_ONLY, "coordinator": 404, "superuser": 404}),
        ("get", reverse("imports:file", args=[999999]), {**COORDINATOR_ONLY, "coordinator": 404, "superuser": 404}),
        # Counselors' worklists: their own students (the lists' scope is tested in tests/reports/test_worklists.py).
        *[("get", reverse("worklists:detail", args=[slug]) + suffix, STAFF)
          for slug in ("seniors-without-credential", "one-course-short", "college-hours-6-to-8",
                       "credential-not-earned")
          for suffix in ("", "?export=csv", "?export=xlsx")],
        ("get", reverse("worklists:detail", args=["no-such-list"]), {**STAFF, "counselor": 404, "other_counselor": 404,
                                                                    "coordinator": 404, "superuser": 404}),
        # Programs of study, their counts and the course and cluster lists: coordinators only.
        ("get", reverse("programs:list"), COORDINATOR_ONLY),
        ("get", reverse("programs:list") + "?export=csv", COORDINATOR_ONLY),
        ("get", reverse("programs:list") + "?export=xlsx", COORDINATOR_ONLY),
        ("get", reverse("programs:courses"), COORDINATOR_ONLY),
        ("get", reverse("programs:courses") + "?export=csv", COORDINATOR_ONLY),
        ("get", reverse("programs:clusters"), COORDINATOR_ONLY),
        ("get", reverse("programs:clusters") + "?export=xlsx", COORDINATOR_ONLY),
        ("get", reverse("programs:new"), COORDINATOR_ONLY),
        ("get", reverse("programs:detail", args=[program]), COORDINATOR_ONLY),
        ("get", reverse("programs:edit", args=[program]), COORDINATOR_ONLY),
        ("post", reverse("programs:edit", args=[program]), COORDINATOR_ONLY),  # an empty form: shown again
        ("get", reverse("programs:detail", args=[999999]), {**COORDINATOR_ONLY, "coordinator": 404, "superuser": 404}),
    ]  # fmt: skip


def _login(client, w, role):
    if role == "anonymous":
        return
    superuser = role == "superuser"
    client.force_login(UserFactory(username="root", is_superuser=True) if superuser else getattr(w, role))


@pytest.fixture
def workspace(two_schools):
    """Two schools, plus a completed credential import whose file is kept and an upload waiting for confirmation."""
    from imports.models import ImportBatch
    from imports.services import batch_create

    def upload(name, status):
        data = f"student_id,credential,earned_on\n{two_schools.ana.local_id},X,2025-01-01\n".encode()
        batch = batch_create(kind="credentials", data=data, filename=name, user=two_schools.coordinator)
        ImportBatch.objects.filter(pk=batch.pk).update(status=status, created_count=1)
        return batch

    from tests.factories import SealPathwayFactory

    two_schools.seal_route = SealPathwayFactory(accepts_portfolio=True)
    two_schools.import_batch = upload("awards.csv", ImportBatch.Status.COMPLETED)
    two_schools.waiting_batch = upload("waiting.csv", ImportBatch.Status.VALIDATED)
    two_schools.program = ProgramOfStudyFactory(name="Welding")
    return two_schools


@pytest.mark.parametrize("role", ROLES)
def test_every_workspace_url_answers_each_role_with_the_expected_status(client, workspace, role):
    _login(client, workspace, role)
    for method, url, expected in matrix(workspace):
        headers = {"HX-Request": "true"} if method == "htmx" else {}
        response = getattr(client, "get" if method == "htmx" else method)(url, headers=headers)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[role], (role, method, url)


def test_board_viewer_home_goes_to_the_dashboard(client, two_schools):
    client.force_login(two_schools.board)
    assert client.get(reverse("home")).url == reverse("reports:dashboard")


def test_counselor_search_and_export_never_show_another_schools_student(client, two_schools):
    client.force_login(two_schools.other_counselor)
    search = client.get(reverse("students:search"), {"q": "nunez"}, headers={"HX-Request": "true"})
    assert "Núñez" not in search.content.decode()
    export = client.get(reverse("students:list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "Ortiz" in export and "Núñez" not in export
    page = client.get(reverse("students:list")).content.decode()
    assert "Ortiz" in page and "Núñez" not in page


def test_counselor_cannot_post_an_award_for_another_schools_student(client, two_schools):
    client.force_login(two_schools.other_counselor)
    url = reverse("students:award_new", args=[two_schools.ana.pk])
    response = client.post(url, {"credential": two_schools.ana_award.credential_id, "earned_on": "2020-01-01"})
    assert response.status_code == 404
    assert two_schools.ana.awards.count() == 1
    delete = reverse("students:award_delete", args=[two_schools.ana.pk, two_schools.ana_award.pk])
    assert client.post(delete, {"reason": "x"}).status_code == 404
    assert two_schools.ana.awards.count() == 1


def test_counselor_cannot_record_a_testing_session_for_another_schools_student(client, two_schools):
    from credentials.models import CredentialAward

    client.force_login(two_schools.counselor)
    response = client.post(
        reverse("credentials:session"),
        {"action": "save", "credential": two_schools.ana_award.credential_id, "earned_on": "2020-01-02",
         "students": [two_schools.ben.pk], "pasted_ids": two_schools.ben.local_id},
    )  # fmt: skip
    assert response.status_code == 200
    assert not CredentialAward.objects.filter(student=two_schools.ben, earned_on="2020-01-02").exists()
