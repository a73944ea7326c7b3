from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReportSourceAdminMixin
from credentials.models import Credential, CredentialAlias, CredentialAward


class CredentialAliasInline(admin.TabularInline):
    model = CredentialAlias
    extra = 1


@admin.register(Credential)
class CredentialAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "issuer", "kind", "cluster", "state_recognized", "counts_for_perkins", "active"]
    list_filter = ["kind", "state_recognized", "counts_for_perkins", "counts_for_district_goal", "active", "cluster"]
    search_fields = ["name", "code", "issuer", "aliases__alias"]
    inlines = [CredentialAliasInline]


@admin.register(CredentialAward)
class CredentialAwardAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["student", "credential", "earned_on", "school_year", "program", "source", "recorded_by"]
    list_filter = ["school_year", "source", "credential", "program"]
    search_fields = [
        "student__local_id",
        "student__last_name",
        "credential__name",
        "credential__code",
        "certificate_number",
    ]
    list_select_related = ["student", "credential", "school_year", "program", "recorded_by"]
    autocomplete_fields = ["student", "credential"]
    readonly_fields = ["school_year", "recorded_by", "recorded_at", "source", "import_batch"]
    date_hierarchy = "earned_on"

    def save_model(self, request, obj, form, change):
        from credentials.services import award_school_year

        obj.school_year = award_school_year(earned_on=obj.earned_on)
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
