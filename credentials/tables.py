"""The credential catalog table."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from credentials.models import Credential


class CredentialTable(tables.Table):
    name = tables.Column()
    code = tables.Column()
    kind = tables.Column(verbose_name="Kind")
    issuer = tables.Column()
    aliases = tables.Column(accessor="pk", orderable=False, verbose_name="Aliases")
    award_count = tables.Column(verbose_name="Awards")
    state_recognized = tables.BooleanColumn(verbose_name="State list", yesno="Yes,—")
    counts_for_perkins = tables.BooleanColumn(verbose_name="Perkins 5S1", yesno="Yes,—")
    active = tables.BooleanColumn(yesno="Active,Inactive")

    class Meta:
        model = Credential
        fields = ("name", "code", "kind", "issuer", "aliases", "award_count", "state_recognized", "counts_for_perkins",
                  "active")  # fmt: skip
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("name",)

    def render_name(self, record: Credential) -> str:
        return format_html('<a href="{}">{}</a>', reverse("credentials:edit", args=[record.pk]), record.name)

    def render_aliases(self, record: Credential) -> str:
        return ", ".join(a.alias for a in record.aliases.all()) or "—"
