"""What the preview page says and asks before an import: labels rather than column names, how IDs were
read, the school year of a roster without one, and new schools to confirm; and the same rule for schools
on the command line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from credentials.models import CredentialAward
from imports.models import ImportBatch
from students.models import Enrollment, School, Student, school_year_label, school_year_start_for
from tests.factories import CredentialFactory, SchoolFactory, StudentFactory
from tests.imports.helpers import csv_file

pytestmark = pytest.mark.django_db
ROSTER = ["student_id", "first_name", "last_name", "grade", "school"]


def upload(client, rows, *, kind="students", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile("file.csv", csv_file(rows)), **extra}
    client.post(reverse("imports:list"), data)
    batch = ImportBatch.objects.latest("pk")
    return batch, client.get(reverse("imports:detail", args=[batch.pk])).content.decode()


def test_the_preview_and_its_problems_name_columns_by_their_labels(client, coordinator):
    CredentialFactory(code="OSHA10")
    StudentFactory(local_id="004512")
    header = ["Student Number", "Certification", "Date Earned", "Certificate #"]
    _, page = upload(client, [header, ["004512", "OSHA10", "someday", "C-1"]], kind="credentials")
    assert "<th>Certificate number</th>" in page and "<th>Date earned</th>" in page
    assert "<td>Date earned</td><td>&#x27;someday&#x27; is not a date" in page
    # The internal names appear only as the values of the column choices, never as text.
    for name in ("certificate_number", "earned_on", "student_id"):
        assert page.count(name) == page.count(f'value="{name}"'), name


def test_the_rejected_rows_csv_names_the_column_by_its_label(client, coordinator):
    StudentFactory(local_id="004512")
    batch, _ = upload(
        client, [["student_id", "credential", "earned_on"], ["004512", "NOPE", "2025-03-03"]], kind="credentials"
    )
    client.post(reverse("imports:confirm", args=[batch.pk]), {"skip_invalid": "1"})
    lines = client.get(reverse("imports:rejected", args=[batch.pk])).content.decode("utf-8-sig").splitlines()
    assert lines[1] == "004512,NOPE,2025-03-03,row 2: Credential: 'NOPE' is not in the catalog"


def test_the_preview_says_which_ids_were_read_with_their_leading_zeros_restored(client, coordinator):
    CredentialFactory(code="OSHA10")
    StudentFactory(local_id="001566")
    header = ["student_id", "credential", "earned_on"]
    batch, page = upload(client, [header, ["1566", "OSHA10", "2025-03-03"]], kind="credentials")
    assert batch.options["preview"]["notices"] == [{"row": 2, "column": "student_id", "message": "1566 read as 001566"}]
    assert "Row 2, Student ID: 1566 read as 001566" in page
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert CredentialAward.objects.get().student.local_id == "001566"


def test_a_roster_uploaded_without_a_school_year_asks_for_it_and_reads_the_current_year_meanwhile(client, coordinator):
    SchoolFactory(code="SHS")
    current = school_year_label(school_year_start_for(timezone.localdate()))
    batch, page = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "Lee", "10", "SHS"]])
    assert batch.errors == []
    assert "2 rows of the file have no school year" in page
    assert f'value="{current}"' in page
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert set(Enrollment.objects.values_list("school_year__start_year", flat=True)) == {int(current[:4])}


def test_the_school_year_chosen_on_the_preview_is_the_one_imported(client, coordinator):
    SchoolFactory(code="SHS")
    batch, _ = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    response = client.post(reverse("imports:school_year", args=[batch.pk]), {"school_year": "2023-2024"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.options["school_year"], batch.errors) == ("2023-24", [])
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "It is read as <strong>2023-24</strong>" in page
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Enrollment.objects.get().school_year.label == "2023-24"


def test_a_school_year_that_cannot_be_read_is_refused_on_the_preview_with_its_field(client, coordinator):
    SchoolFactory(code="SHS")
    batch, _ = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "SHS"]])
    response = client.post(reverse("imports:school_year", args=[batch.pk]), {"school_year": "last year"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "is not a school year" in response.content.decode()


def test_new_schools_are_created_only_when_the_import_confirms_them(client, coordinator):
    SchoolFactory(code="SHS")
    batch, page = upload(client, [ROSTER, ["1", "Ana", "Baca", "9", "Socoro Hgh"]], school_year="2024-25")
    assert 'id="confirm-new-schools"' in page and "Create the 1 new school: Socoro Hgh" in page
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, Student.objects.count(), School.objects.count()) == (ImportBatch.Status.VALIDATED, 0, 1)
    client.post(reverse("imports:confirm", args=[batch.pk]), {"create_schools": "1"})
    assert School.objects.filter(name="Socoro Hgh").exists()
    assert Student.objects.get().local_id == "1"


def test_import_students_refuses_an_unknown_school_without_create_schools(tmp_path, capsys):
    SchoolFactory(code="SHS")
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([ROSTER, ["1", "Ana", "Baca", "9", "SHS"], ["2", "Luis", "Lee", "9", "NEW"]]))
    with pytest.raises(CommandError):
        call_command("import_students", str(path), "--school-year", "2024-25")
    assert "row 3, School: 'NEW' is not the code or name of a school in the district" in capsys.readouterr().err
    assert (Student.objects.count(), School.objects.count()) == (0, 1)
    call_command("import_students", str(path), "--school-year", "2024-25", "--create-schools")
    assert School.objects.filter(name="NEW").exists()
    assert Student.objects.count() == 2
