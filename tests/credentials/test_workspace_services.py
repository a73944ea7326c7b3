from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from credentials.models import Credential, CredentialAlias, CredentialAward
from credentials.services import (
    award_update,
    awards_create_for_session,
    credential_merge,
    credential_set_aliases,
)
from tests.factories import (
    CredentialAliasFactory,
    CredentialAwardFactory,
    CredentialFactory,
    ProgramOfStudyFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_testing_session_records_every_student_and_skips_those_already_awarded_that_day():
    credential = CredentialFactory()
    day = timezone.localdate()
    students = StudentFactory.create_batch(4)
    CredentialAwardFactory(student=students[0], credential=credential, earned_on=day)
    user = UserFactory()
    result = awards_create_for_session(credential=credential, earned_on=day, students=students, recorded_by=user)
    assert result.already_awarded == [students[0]]
    assert {a.student_id for a in result.created} == {s.pk for s in students[1:]}
    assert CredentialAward.objects.filter(credential=credential, earned_on=day).count() == 4
    history = CredentialAward.history.filter(credential_id=credential.pk, history_change_reason="Testing session")
    assert history.count() == 3
    assert {h.history_user for h in history} == {user}


def test_testing_session_refuses_a_future_date_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        awards_create_for_session(
            credential=CredentialFactory(),
            earned_on=timezone.localdate() + timedelta(days=1),
            students=StudentFactory.create_batch(2),
            recorded_by=None,
        )
    assert "future" in str(error.value)
    assert not CredentialAward.objects.exists()


def test_testing_session_is_all_or_nothing(monkeypatch):
    from credentials import services

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    students = StudentFactory.create_batch(3)
    monkeypatch.setattr(services, "bulk_create_with_history", boom)
    with pytest.raises(RuntimeError):
        awards_create_for_session(
            credential=CredentialFactory(), earned_on=timezone.localdate(), students=students, recorded_by=None
        )
    assert not CredentialAward.objects.exists()


def test_updating_an_award_moves_it_to_the_school_year_of_its_new_date():
    award = CredentialAwardFactory()
    new_day = award.earned_on.replace(year=award.earned_on.year - 2)
    award_update(award=award, reason="typo", changed_by=None, credential=award.credential, earned_on=new_day)
    award.refresh_from_db()
    assert award.school_year.contains(new_day)


def test_merging_moves_awards_and_keeps_codes_names_and_aliases():
    keep = CredentialFactory(code="OSHA10", name="OSHA 10-Hour")
    merge = CredentialFactory(code="OSHA-10-GI", name="OSHA Ten General Industry")
    CredentialAliasFactory(credential=merge, alias="OSHA 10 GI")
    program = ProgramOfStudyFactory()
    program.credentials.add(merge)
    moved = CredentialAwardFactory(credential=merge)
    result = credential_merge(keep=keep, merge=merge, merged_by=None)
    moved.refresh_from_db()
    assert moved.credential == keep
    assert result.awards_moved == 1
    assert set(keep.aliases.values_list("alias", flat=True)) == {
        "OSHA 10 GI",
        "OSHA-10-GI",
        "OSHA Ten General Industry",
    }
    assert not Credential.objects.filter(pk=merge.pk).exists()
    assert list(program.credentials.all()) == [keep]
    assert moved.history.latest().history_change_reason == "Merged OSHA-10-GI into OSHA10"


def test_merging_combines_a_same_day_duplicate_without_losing_its_certificate_or_note():
    keep, merge = CredentialFactory(), CredentialFactory()
    student = StudentFactory()
    kept = CredentialAwardFactory(student=student, credential=keep, note="")
    twin = CredentialAwardFactory(student=student, credential=merge, certificate_number="N-77", note="proctor: Ruiz")
    other_day = CredentialAwardFactory(student=student, credential=merge, earned_on=kept.earned_on - timedelta(days=1))
    result = credential_merge(keep=keep, merge=merge, merged_by=None)
    kept.refresh_from_db()
    assert (result.awards_moved, result.duplicates_combined) == (1, 1)
    assert (kept.certificate_number, kept.note) == ("N-77", "proctor: Ruiz")
    assert set(student.awards.values_list("pk", flat=True)) == {kept.pk, other_day.pk}
    assert CredentialAward.history.filter(id=twin.pk, history_type="-").exists()


def test_merging_a_credential_into_itself_is_refused():
    credential = CredentialFactory()
    with pytest.raises(ValidationError):
        credential_merge(keep=credential, merge=credential, merged_by=None)


def test_merging_does_not_duplicate_an_alias_that_already_exists():
    keep = CredentialFactory(code="CPR", name="CPR/First Aid")
    merge = CredentialFactory(code="cpr-fa", name="CPR/First Aid")
    CredentialAliasFactory(credential=keep, alias="CPR-FA")
    credential_merge(keep=keep, merge=merge, merged_by=None)
    assert sorted(keep.aliases.values_list("alias", flat=True)) == ["CPR-FA"]


def test_setting_aliases_refuses_one_that_belongs_to_another_credential():
    CredentialAliasFactory(alias="ServSafe Handler")
    credential = CredentialFactory()
    with pytest.raises(ValidationError) as error:
        credential_set_aliases(credential=credential, aliases=["servsafe handler", "Food card"])
    assert "ServSafe Handler" in str(error.value)
    assert not credential.aliases.exists()


def test_setting_aliases_adds_removes_and_ignores_blank_lines_and_repeats():
    credential = CredentialFactory()
    CredentialAliasFactory(credential=credential, alias="Old name")
    credential_set_aliases(credential=credential, aliases=["  New   name ", "", "new name", "Other"])
    assert sorted(CredentialAlias.objects.values_list("alias", flat=True)) == ["New name", "Other"]
