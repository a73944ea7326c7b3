from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credentials.models import CredentialAward
from credentials.services import award_create
from tests.factories import CredentialAwardFactory, CredentialFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_award_is_filed_in_the_school_year_of_its_date():
    award = award_create(
        student=StudentFactory(), credential=CredentialFactory(), earned_on=date(2025, 6, 30), recorded_by=None
    )
    assert award.school_year.label == "2024-25"


def test_the_database_rejects_the_same_credential_twice_on_one_date():
    award = CredentialAwardFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CredentialAwardFactory(student=award.student, credential=award.credential, earned_on=award.earned_on)


def test_duplicate_award_through_the_service_gets_a_plain_message():
    award = CredentialAwardFactory()
    with pytest.raises(ValidationError, match="already has this credential on this date"):
        award_create(student=award.student, credential=award.credential, earned_on=award.earned_on, recorded_by=None)
    assert CredentialAward.objects.count() == 1


def test_a_renewal_on_a_later_date_is_a_second_award():
    award = CredentialAwardFactory(earned_on=date(2023, 10, 1))
    award_create(student=award.student, credential=award.credential, earned_on=date(2024, 10, 1), recorded_by=None)
    assert CredentialAward.objects.filter(student=award.student).count() == 2


def test_a_date_in_the_future_is_rejected_with_a_clear_message():
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        award_create(student=StudentFactory(), credential=CredentialFactory(), earned_on=tomorrow, recorded_by=None)
    assert excinfo.value.message_dict == {"earned_on": ["The date earned cannot be in the future."]}
    assert CredentialAward.objects.count() == 0


def test_award_records_who_entered_it_and_how():
    user = UserFactory()
    award = award_create(
        student=StudentFactory(),
        credential=CredentialFactory(),
        earned_on=date(2024, 9, 9),
        recorded_by=user,
        certificate_number="  A-17 ",
    )
    assert (award.recorded_by, award.source, award.certificate_number) == (user, "manual", "A-17")


def test_history_keeps_the_old_value_and_who_changed_it():
    user = UserFactory()
    award = CredentialAwardFactory(note="first")
    award.note = "corrected"
    award._history_user = user
    award.save()
    history = list(award.history.order_by("history_date"))
    assert [h.note for h in history] == ["first", "corrected"]
    assert history[-1].history_user == user
    assert history[-1].history_type == "~"


def test_recording_an_award_brings_the_dashboard_tables_up_to_date_in_its_own_transaction():
    from reports.models import StudentYear
    from reports.services import rollups_drift, rollups_refresh
    from tests.factories import EnrollmentFactory

    enrollment = EnrollmentFactory()
    rollups_refresh()
    award_create(
        student=enrollment.student, credential=CredentialFactory(), earned_on=date(2024, 10, 1), recorded_by=None
    )
    assert StudentYear.objects.get(student=enrollment.student).awards == 1
    assert rollups_drift() == {}
