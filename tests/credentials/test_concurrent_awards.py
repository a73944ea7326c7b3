"""Two people saving the same award at the same moment: one award, and the other hears it is already recorded.

The parallel tests use real connections, one per thread, and need PostgreSQL: SQLite takes one writer
at a time (BEGIN IMMEDIATE), so the race they check cannot happen there.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from credentials import services
from credentials.models import ALREADY_RECORDED, CredentialAward
from credentials.services import AwardAlreadyRecorded, award_create, awards_create_for_session
from students.services import school_year_for_date_ensure
from tests.factories import CredentialAwardFactory, CredentialFactory, EnrollmentFactory, StudentFactory


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel writers: SQLite serialises writes, so this race is PostgreSQL's alone")


@pytest.fixture
def both_at_the_insert(monkeypatch):
    """Every thread passes its checks, then waits for the others right before its first insert, so the
    inserts race as when two counselors press Save in the same instant."""
    barrier = threading.Barrier(2, timeout=20)
    waited = threading.local()
    insert = services.bulk_create_with_history

    def insert_together(*args, **kwargs):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return insert(*args, **kwargs)

    monkeypatch.setattr(services, "bulk_create_with_history", insert_together)
    # The school year exists already, as it does once anything was recorded in it: a first-ever insert of it
    # would hold one writer while the other waits at the barrier.
    school_year_for_date_ensure(day=timezone.localdate())
    # The dashboard's rebuild after each commit is another process's work, not this race's.
    monkeypatch.setattr(services, "report_sources_changed", lambda **kwargs: None)


def run_at_once(*calls):
    """Run each call in its own thread with its own database connection; return what each returned or raised."""
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as error:  # the test asserts on which errors came back
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_counselors_saving_the_same_award_at_once_get_one_award_and_one_already_recorded(
    postgresql, both_at_the_insert
):
    student, credential = StudentFactory(), CredentialFactory()
    today = timezone.localdate()

    def save():
        return award_create(student=student, credential=credential, earned_on=today, recorded_by=None)

    outcomes = run_at_once(save, save)
    saved = [o for o in outcomes if isinstance(o, CredentialAward)]
    refused = [o for o in outcomes if isinstance(o, AwardAlreadyRecorded)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert refused[0].messages == [ALREADY_RECORDED]
    assert CredentialAward.objects.count() == 1
    assert CredentialAward.history.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_testing_session_submitted_twice_at_once_records_each_award_once(postgresql, both_at_the_insert):
    students, credential = StudentFactory.create_batch(5), CredentialFactory()
    today = timezone.localdate()

    def submit():
        return awards_create_for_session(credential=credential, earned_on=today, students=students, recorded_by=None)

    first, second = run_at_once(submit, submit)
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    # One submission recorded all five; the other found them recorded and says so instead of failing.
    assert sorted([len(first.created), len(second.created)]) == [0, 5]
    loser = first if not first.created else second
    assert {s.pk for s in loser.already_awarded} == {s.pk for s in students}
    assert CredentialAward.objects.count() == 5
    assert CredentialAward.history.count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_award_and_a_session_holding_it_saved_at_once_record_it_once(postgresql, both_at_the_insert):
    ana, ben = StudentFactory.create_batch(2)
    credential, today = CredentialFactory(), timezone.localdate()
    single, session = run_at_once(
        lambda: award_create(student=ana, credential=credential, earned_on=today, recorded_by=None),
        lambda: awards_create_for_session(
            credential=credential, earned_on=today, students=[ana, ben], recorded_by=None
        ),
    )
    assert not isinstance(session, Exception), session
    assert CredentialAward.objects.filter(student=ana).count() == 1
    assert CredentialAward.objects.filter(student=ben).count() == 1
    if isinstance(single, AwardAlreadyRecorded):
        assert {a.student_id for a in session.created} == {ana.pk, ben.pk}
    else:
        assert isinstance(single, CredentialAward), single
        assert [s.pk for s in session.already_awarded] == [ana.pk]


@pytest.fixture
def someone_else_saves_first(monkeypatch):
    """Between the session's look at who has the credential and its insert, another counselor's award for
    one of the students lands: the database, not that look, is what refuses the second copy."""
    insert = services.awards_insert
    pending = []

    def insert_after_the_other(*, awards, **kwargs):
        while pending:
            twin = pending.pop()
            CredentialAwardFactory(student=twin.student, credential=twin.credential, earned_on=twin.earned_on)
        return insert(awards=awards, **kwargs)

    def arm(award_like):
        pending.append(award_like)

    monkeypatch.setattr(services, "awards_insert", insert_after_the_other)
    return arm


@pytest.mark.django_db
def test_the_award_form_says_already_recorded_when_the_database_refuses_a_twin(
    client, coordinator, monkeypatch, this_year
):
    student, credential = EnrollmentFactory(school_year=this_year).student, CredentialFactory()
    today = timezone.localdate()
    CredentialAwardFactory(student=student, credential=credential, earned_on=today)
    # The form's check ran before the other counselor's award was committed, so it saw nothing.
    monkeypatch.setattr(CredentialAward, "validate_constraints", lambda self, exclude=None: None)
    response = client.post(
        reverse("students:award_new", args=[student.pk]),
        {"credential": credential.pk, "earned_on": today.isoformat(), "note": "typed"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ALREADY_RECORDED in html and "typed" in html
    assert CredentialAward.objects.filter(student=student).count() == 1


@pytest.mark.django_db
def test_the_testing_session_saves_the_rest_when_one_award_was_recorded_meanwhile(
    client, coordinator, someone_else_saves_first, this_year
):
    ana, ben = (EnrollmentFactory(school_year=this_year).student for _ in range(2))
    credential, today = CredentialFactory(), timezone.localdate()
    someone_else_saves_first(CredentialAward(student=ana, credential=credential, earned_on=today))
    response = client.post(
        reverse("credentials:session"),
        {"action": "save", "credential": credential.pk, "earned_on": today.isoformat(),
         "pasted_ids": f"{ana.local_id}\n{ben.local_id}"},
    )  # fmt: skip
    assert response.status_code == 302
    message = str(list(response.wsgi_request._messages)[0])
    assert "for 1 student(s)" in message
    assert f"Already had it on that date (nothing added): {ana}." in message
    assert CredentialAward.objects.filter(credential=credential).count() == 2
