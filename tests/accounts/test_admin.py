import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import CredentialAwardFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_admin_changelist_loads_for_a_superuser(superuser_client):
    CredentialAwardFactory()
    EnrollmentFactory()
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        if model_admin.search_fields:
            assert superuser_client.get(url, {"q": "a"}).status_code == 200, url


def test_admin_add_pages_load(superuser_client):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        assert superuser_client.get(url).status_code in (200, 403), url


def test_admin_records_an_award_with_its_school_year_and_recorder(superuser_client):
    from credentials.models import CredentialAward
    from tests.factories import CredentialFactory, StudentFactory

    student, credential = StudentFactory(), CredentialFactory()
    response = superuser_client.post(
        reverse("admin:credentials_credentialaward_add"),
        {"student": student.pk, "credential": credential.pk, "earned_on": "2025-07-01", "note": ""},
    )
    assert response.status_code == 302
    award = CredentialAward.objects.get()
    assert award.school_year.label == "2025-26"
    assert award.recorded_by.is_superuser
