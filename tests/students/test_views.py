import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from credentials.models import CredentialAward
from pathways.models import SealAward, SealPathway
from tests.factories import (
    CourseCompletionFactory,
    CredentialAwardFactory,
    CredentialFactory,
    EnrollmentFactory,
    ProgramCourseFactory,
    SchoolFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(name="North High")


@pytest.fixture
def counselor(client, school, fast_passwords):
    user = user_with_role(Role.COUNSELOR, schools=[school], username="counselor")
    client.force_login(user)
    return user


def enroll(school, year, n, **kwargs):
    return [EnrollmentFactory(school=school, school_year=year, **kwargs).student for _ in range(n)]


def test_student_list_runs_the_same_number_of_queries_for_3_or_40_students(
    client, counselor, school, this_year, django_assert_max_num_queries
):
    for student in enroll(school, this_year, 3):
        CredentialAwardFactory(student=student, earned_on=this_year.start_date, school_year=this_year)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("students:list"))
    for student in enroll(school, this_year, 37):
        CredentialAwardFactory(student=student, earned_on=this_year.start_date, school_year=this_year)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("students:list"))
    assert response.context["table"].paginator.count == 40
    html = response.content.decode()
    assert ">School</a>" in html and ">Program</label>" in html and "invalid name" not in html


def test_student_list_filters_by_grade_group_and_credential_this_year(client, counselor, school, this_year):
    ninth = EnrollmentFactory(school=school, school_year=this_year, grade=9, emergent_bilingual=True).student
    eleventh = EnrollmentFactory(school=school, school_year=this_year, grade=11).student
    CredentialAwardFactory(student=eleventh, earned_on=this_year.start_date, school_year=this_year)
    last_year = this_year.start_date - timedelta(days=30)
    CredentialAwardFactory(student=ninth, earned_on=last_year)

    def names(**params):
        rows = client.get(reverse("students:list"), params).context["table"].data
        return [row.student for row in rows]

    assert names(grade=9) == [ninth]
    assert names(group="emergent_bilingual") == [ninth]
    assert names(earned="yes") == [eleventh]
    assert names(earned="no") == [ninth]


def test_student_list_filters_by_program_and_concentrator_status(client, counselor, school, this_year):
    first, second = ProgramCourseFactory(position=1), None
    second = ProgramCourseFactory(program=first.program, position=2)
    concentrator, participant, neither = enroll(school, this_year, 3)
    for course in (first.course, second.course):
        CourseCompletionFactory(student=concentrator, course=course, school_year=this_year)
    CourseCompletionFactory(student=participant, course=first.course, school_year=this_year)
    program = first.program.pk

    def ids(**params):
        return {row.student.pk for row in client.get(reverse("students:list"), params).context["table"].data}

    assert ids(program=program) == {concentrator.pk, participant.pk}
    assert ids(program=program, status="concentrator") == {concentrator.pk}
    assert neither.pk not in ids(status="participant")


def test_student_list_sorts_by_a_column_and_paginates_by_fifty(client, counselor, school, this_year):
    enroll(school, this_year, 55)
    page = client.get(reverse("students:list"), {"sort": "-local_id"})
    local_ids = [row.record.student.local_id for row in page.context["table"].page.object_list]
    assert len(local_ids) == 50
    assert local_ids == sorted(local_ids, reverse=True)
    assert len(client.get(reverse("students:list"), {"page": 2}).context["table"].page.object_list) == 5


def test_student_list_exports_csv_of_the_filtered_rows_with_formulas_made_inert(client, counselor, school, this_year):
    EnrollmentFactory(school=school, school_year=this_year, grade=12, student__last_name="=HYPERLINK(1)")
    EnrollmentFactory(school=school, school_year=this_year, grade=9, student__last_name="Zamora")
    response = client.get(reverse("students:list"), {"grade": 12, "export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="students-')
    assert "'=HYPERLINK(1)" in text
    assert "Zamora" not in text


def test_student_list_exports_xlsx_with_one_row_per_student(client, counselor, school, this_year):
    enroll(school, this_year, 3)
    response = client.get(reverse("students:list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4
    assert sheet.cell(row=1, column=1).value == "Student ID"


def test_search_returns_a_fragment_for_htmx_and_a_page_otherwise(client, counselor, school, this_year):
    EnrollmentFactory(school=school, school_year=this_year, student__last_name="Núñez", student__first_name="José")
    fragment = client.get(reverse("students:search"), {"q": "nunez"}, headers={"HX-Request": "true"})
    assert "Núñez, José" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    page = client.get(reverse("students:search"), {"q": "nunez"})
    assert "<html" in page.content.decode() and "Núñez, José" in page.content.decode()
    assert "No student matches" in client.get(reverse("students:search"), {"q": "zzzz"}).content.decode()
    assert "Type at least 3 letters or digits" in client.get(reverse("students:search"), {"q": "nu"}).content.decode()


def test_search_runs_a_fixed_number_of_queries(client, counselor, school, this_year, django_assert_max_num_queries):
    enroll(school, this_year, 30, student__last_name="Baca")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("students:search"), {"q": "baca"}, headers={"HX-Request": "true"})
    assert response.content.decode().count("Baca,") == 20


def test_student_record_shows_enrollment_awards_by_year_programs_seal_and_history(
    client, counselor, school, this_year, django_assert_max_num_queries
):
    student = EnrollmentFactory(school=school, school_year=this_year, grade=10, special_education=True).student
    for days in range(0, 8):
        CredentialAwardFactory(student=student, earned_on=this_year.start_date - timedelta(days=days * 40),
                               credential__name=f"Credential number {days}")  # fmt: skip
    place = ProgramCourseFactory(program__name="Welding", program__concentrator_threshold=1)
    CourseCompletionFactory(student=student, course=place.course, school_year=this_year)
    seal = SealPathway.objects.create(
        code="FOUR", name="Four courses", route=SealPathway.Route.FOUR_COURSES, languages="Spanish"
    )
    SealAward.objects.create(student=student, pathway=seal, language="Spanish", awarded_on=this_year.start_date,
                             school_year=this_year)  # fmt: skip
    # 16 before the seal section; it reads the offered routes (3 queries), the seal facts (4) and its list (2).
    with django_assert_max_num_queries(25):
        response = client.get(reverse("students:detail", args=[student.pk]))
    html = response.content.decode()
    assert "Special education" in html
    assert "Credential number 7" in html
    assert f'<h3 class="h6 mt-3">{this_year}</h3>' in html
    assert "Welding" in html and "Concentrator" in html
    assert "Spanish" in html
    assert "Created · Award: Credential number 0" in html


def test_student_record_query_count_does_not_grow_with_awards(client, counselor, school, this_year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    student = EnrollmentFactory(school=school, school_year=this_year).student
    CredentialAwardFactory(student=student, earned_on=this_year.start_date)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("students:detail", args=[student.pk]))
    for n in range(1, 12):
        CredentialAwardFactory(student=student, earned_on=this_year.start_date + timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("students:detail", args=[student.pk]))
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.fixture
def student(school, this_year):
    return EnrollmentFactory(school=school, school_year=this_year, student__first_name="José").student


def test_recording_a_credential_saves_it_and_returns_to_the_record(client, counselor, student):
    credential = CredentialFactory(name="OSHA 10-Hour General Industry")
    today = timezone.localdate()
    response = client.post(
        reverse("students:award_new", args=[student.pk]),
        {"credential": credential.pk, "earned_on": today.isoformat(), "certificate_number": " 12-345 "},
    )
    assert response.status_code == 302
    award = CredentialAward.objects.get(student=student)
    assert (award.credential, award.earned_on, award.certificate_number, award.recorded_by) == (
        credential, today, "12-345", counselor
    )  # fmt: skip
    assert "OSHA 10-Hour General Industry" in client.get(response.url).content.decode()


def test_record_form_defaults_the_date_to_today_and_offers_no_inactive_credential(client, counselor, student):
    CredentialFactory(name="Retired card", active=False)
    html = client.get(reverse("students:award_new", args=[student.pk])).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html
    assert "Retired card" not in html


def test_a_duplicate_award_says_so_and_keeps_what_was_typed(client, counselor, student):
    award = CredentialAwardFactory(student=student, earned_on=timezone.localdate())
    response = client.post(
        reverse("students:award_new", args=[student.pk]),
        {"credential": award.credential_id, "earned_on": award.earned_on.isoformat(), "note": "second try"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already has this credential on this date" in html
    assert "second try" in html
    assert CredentialAward.objects.filter(student=student).count() == 1


def test_a_future_date_is_refused_on_the_field(client, counselor, student):
    credential = CredentialFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("students:award_new", args=[student.pk]), {"credential": credential.pk, "earned_on": tomorrow}
    )
    assert response.context["form"].errors["earned_on"] == ["The date earned cannot be in the future."]
    assert not CredentialAward.objects.exists()


def test_editing_an_award_needs_a_reason_that_the_history_keeps(client, counselor, student):
    award = CredentialAwardFactory(student=student, earned_on=timezone.localdate() - timedelta(days=3))
    url = reverse("students:award_edit", args=[student.pk, award.pk])
    data = {"credential": award.credential_id, "earned_on": timezone.localdate().isoformat(), "note": "n"}
    refused = client.post(url, data)
    assert "Say why you are changing this award" in refused.content.decode()
    assert client.post(url, {**data, "reason": "Wrong date typed"}).status_code == 302
    latest = award.history.latest()
    assert (latest.earned_on, latest.history_change_reason, latest.history_user) == (
        timezone.localdate(), "Wrong date typed", counselor
    )  # fmt: skip
    assert award.history.earliest().earned_on == timezone.localdate() - timedelta(days=3)
    record = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "Wrong date typed" in record


def test_deleting_an_award_needs_a_reason_and_leaves_history(client, counselor, student):
    award = CredentialAwardFactory(student=student, certificate_number="C-1")
    url = reverse("students:award_delete", args=[student.pk, award.pk])
    assert "Say why you are deleting" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Entered for the wrong student"}).status_code == 302
    assert not CredentialAward.objects.filter(pk=award.pk).exists()
    gone = CredentialAward.history.filter(id=award.pk).latest()
    assert (gone.history_type, gone.history_change_reason, gone.certificate_number) == (
        "-", "Entered for the wrong student", "C-1"
    )  # fmt: skip


def test_record_form_query_count_does_not_grow_with_the_catalog(client, counselor, student):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CredentialAliasFactory

    CredentialAliasFactory()
    url = reverse("students:award_new", args=[student.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        CredentialAliasFactory()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_changing_an_award_into_a_duplicate_is_refused_and_changes_nothing(client, counselor, student):
    kept = CredentialAwardFactory(student=student)
    other = CredentialAwardFactory(student=student, earned_on=kept.earned_on - timedelta(days=1))
    response = client.post(
        reverse("students:award_edit", args=[student.pk, other.pk]),
        {"credential": kept.credential_id, "earned_on": kept.earned_on.isoformat(), "reason": "same card"},
    )
    assert "already has this credential on this date" in response.content.decode()
    other.refresh_from_db()
    assert other.credential_id != kept.credential_id
    assert other.history.count() == 1


def test_student_pages_name_the_student_last_name_first_in_the_title_too(client, counselor, school, this_year):
    student = EnrollmentFactory(
        school=school, school_year=this_year, student__first_name="Ana", student__middle_name="Lucía",
        student__last_name="Núñez",
    ).student  # fmt: skip
    award = CredentialAwardFactory(student=student, earned_on=this_year.start_date, school_year=this_year)
    for url in (
        reverse("students:detail", args=[student.pk]),
        reverse("students:award_new", args=[student.pk]),
        reverse("students:award_edit", args=[student.pk, award.pk]),
        reverse("students:award_delete", args=[student.pk, award.pk]),
    ):
        html = client.get(url).content.decode()
        title = html.split("<title>")[1].split("</title>")[0]
        assert "Núñez, Ana Lucía" in title, url
        assert "Ana Lucía Núñez" not in html, url


def test_student_history_on_the_record_page_shows_field_labels_not_internal_names(client, counselor, school, this_year):
    student = EnrollmentFactory(school=school, school_year=this_year).student
    award = CredentialAwardFactory(student=student, earned_on=this_year.start_date, certificate_number="A-1")
    award.certificate_number = "A-2"
    award.save()
    html = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "Certificate number: <del>A-1</del> → A-2" in html
    assert "certificate_number" not in html
