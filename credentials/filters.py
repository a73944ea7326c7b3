"""Filters for the credential catalog (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from credentials.models import Credential


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
        value = value.strip()
        match = Q(code__icontains=value) | Q(name__icontains=value) | Q(aliases__alias__icontains=value)
        return queryset.filter(pk__in=Credential.objects.filter(match).values("pk"))
