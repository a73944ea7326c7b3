import pytest

from students import selectors
from students.local_ids import clean_local_id, local_id_problem
from students.models import Student
from students.selectors import students_matching_local_ids
from tests.factories import StudentFactory


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("００１９０１", "001901"),  # full-width digits from an East Asian keyboard
        ("\u200b001901\u200b", "001901"),  # zero-width spaces pasted from a web page
        ("\ufeff001901", "001901"),  # a byte-order mark left at the start of a file
        ("00\u00ad1901", "001901"),  # a soft hyphen
        ("\u00a0001901 \t", "001901"),  # no-break and ordinary spaces, a tab
        ("S-12_a", "S-12_a"),
    ],
)
def test_clean_local_id_gives_the_normal_form(typed, cleaned):
    assert clean_local_id(typed) == cleaned


@pytest.mark.parametrize("cleaned", ["00 1901", "0019é1", "001901!", "١٢٣"])
def test_an_id_with_other_characters_is_refused_in_plain_words(cleaned):
    assert "may hold only letters A-Z, digits, '-' and '_'" in local_id_problem(clean_local_id(cleaned))


def test_an_id_longer_than_the_field_is_refused():
    assert "longer than a student ID can be (20 characters)" in local_id_problem("1" * 21)
    assert local_id_problem("1" * 20) is None


@pytest.mark.django_db
def test_exact_id_wins_over_a_stripped_zero_match():
    exact = StudentFactory(local_id="1566")
    StudentFactory(local_id="001566")
    match = students_matching_local_ids(["1566"])["1566"]
    assert (match.pk, match.read_as, match.problem) == (exact.pk, "", "")


@pytest.mark.django_db
def test_an_id_that_lost_its_leading_zeros_is_read_as_the_one_student_it_can_be():
    student = StudentFactory(local_id="001566")
    StudentFactory(local_id="015660")
    match = students_matching_local_ids(["1566"])["1566"]
    assert match.pk == student.pk
    assert match.read_as == "1566 read as 001566"


@pytest.mark.django_db
def test_an_id_several_students_could_be_is_an_error_listing_them():
    StudentFactory(local_id="01566")
    StudentFactory(local_id="001566")
    match = students_matching_local_ids(["1566"])["1566"]
    assert match.pk is None
    assert match.problem == "'1566' could be any of the students 001566, 01566: use the full ID"


@pytest.mark.django_db
def test_unknown_and_all_zero_ids_match_nobody_without_a_problem():
    StudentFactory(local_id="000")
    matches = students_matching_local_ids(["4242", "0"])
    assert matches["4242"].pk is None and matches["4242"].problem == ""
    assert matches["0"].pk is None and matches["0"].candidates == ()


@pytest.mark.django_db
def test_only_students_in_the_given_queryset_are_matched():
    hidden = StudentFactory(local_id="001566")
    match = students_matching_local_ids(["1566"], students=Student.objects.exclude(pk=hidden.pk))["1566"]
    assert match.pk is None and match.problem == ""


@pytest.mark.django_db
def test_the_long_list_scan_matches_the_same_way_as_the_query(monkeypatch):
    monkeypatch.setattr(selectors, "MATCH_SCAN_ABOVE", 1)
    one = StudentFactory(local_id="001566")
    StudentFactory(local_id="07")
    StudentFactory(local_id="007")
    matches = students_matching_local_ids(["1566", "7", "001566"])
    assert matches["1566"].pk == one.pk and matches["1566"].read_as == "1566 read as 001566"
    assert matches["001566"].read_as == ""
    assert matches["7"].candidates == ("007", "07")


@pytest.mark.django_db
def test_a_student_typed_in_a_form_is_stored_with_the_cleaned_id_and_a_bad_one_is_refused_on_its_field():
    from django.core.exceptions import ValidationError

    student = Student(local_id="\u200b００１９０１ ", first_name="Ana", last_name="Baca")
    student.full_clean()
    assert student.local_id == "001901"
    student.save()
    twin = Student(local_id="001901\u200b", first_name="Ana", last_name="Baca")
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert list(refused.value.message_dict) == ["local_id"]  # already taken once cleaned
    with pytest.raises(ValidationError, match="may hold only letters A-Z"):
        Student(local_id="00 19", first_name="Ana", last_name="Baca").full_clean()
