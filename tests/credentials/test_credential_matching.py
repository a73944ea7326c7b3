"""Which credential a picker's text names: exact code or alias first, then a name that starts with it, then the rest."""

import pytest
from django.urls import reverse

from credentials.selectors import credential_key, credentials_matching
from tests.factories import CredentialAliasFactory, CredentialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def osha():
    general = CredentialFactory(code="OSHA10", name="OSHA 10-Hour General Industry")
    for alias in ("OSHA-10", "OSHA 10-Hour"):
        CredentialAliasFactory(credential=general, alias=alias)
    construction = CredentialFactory(code="OSHA10-CONST", name="OSHA 10-Hour Construction")
    CredentialAliasFactory(credential=construction, alias="OSHA-10 Construction")
    thirty = CredentialFactory(code="OSHA30", name="OSHA 30-Hour General Industry")
    safety = CredentialFactory(code="SAFE-1", name="Workplace safety (OSHA-10 based)")
    return general, construction, thirty, safety


def test_the_key_ignores_case_accents_spaces_and_hyphens():
    assert credential_key("OSHA-10") == credential_key("osha 10") == credential_key("OSHA10") == "osha10"
    assert credential_key("Técnico  en Soldadura") == "tecnicoensoldadura"


def test_an_exact_alias_comes_before_the_alphabetically_first_name(osha):
    general, construction, thirty, safety = osha
    assert credentials_matching(query="OSHA-10") == [general, construction, safety]


def test_the_exact_match_is_found_however_the_code_is_spelled(osha):
    general = osha[0]
    for query in ("osha10", "OSHA 10", " osha-10 ", "Osha‐10"):
        assert credentials_matching(query=query)[0] == general, query


def test_a_name_prefix_comes_before_a_match_elsewhere_in_the_text(osha):
    general, construction, thirty, safety = osha
    workplace = credentials_matching(query="workplace")
    assert workplace == [safety]
    assert credentials_matching(query="osha 10 hour") == [general, construction]
    # "general industry" starts no name: both general-industry cards match further down, by name.
    assert credentials_matching(query="general industry") == [general, thirty]


def test_blank_text_matches_nothing(osha):
    assert credentials_matching(query="  - ") == []


def test_matching_costs_the_same_queries_for_a_large_catalog(osha, django_assert_num_queries):
    with django_assert_num_queries(2):
        credentials_matching(query="osha")
    for n in range(30):
        CredentialAliasFactory(credential__name=f"Credential {n}", alias=f"Alias {n}")
    with django_assert_num_queries(2):
        credentials_matching(query="osha")


def test_the_picker_endpoint_returns_ids_best_first(client, coordinator, osha):
    general, construction, thirty, safety = osha
    response = client.get(reverse("credentials:picker"), {"q": "OSHA-10"})
    assert response.json() == {"ids": [general.pk, construction.pk, safety.pk]}


def test_the_catalog_filter_finds_a_credential_however_its_code_is_spelled(client, coordinator, osha):
    html = client.get(reverse("credentials:catalog"), {"q": "osha 30"}).content.decode()
    assert "OSHA 30-Hour General Industry" in html and "Construction" not in html
