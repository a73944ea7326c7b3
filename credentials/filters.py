"""Filters for the credential catalog (django-filter)."""

import django_filters
from django import forms
from django.db.models import QuerySet

from credentials.models import Credential
from credentials.selectors import credentials_matching


class CredentialFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Code, name or alias", method="filter_q")
    kind = django_filters.ChoiceFilter(choices=Credential.Kind.choices, empty_label="All kinds")
    # Not django-filter's default "Unknown / Yes / No": a person reads the empty choice as "either".
    active = django_filters.BooleanFilter(
        label="Offered", widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    )

    class Meta:
        model = Credential
        fields = ["q", "kind", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        self.form.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"
        self.form.fields["active"].widget.attrs["class"] = "form-select form-select-sm"

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The same matching as the credential pickers: "osha-10", "OSHA 10" and "osha10" find the same.
        return queryset.filter(pk__in=[c.pk for c in credentials_matching(query=value)])
