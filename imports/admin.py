from django.contrib import admin

from imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "original_filename",
        "kind",
        "status",
        "created_by",
        "created_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["original_filename", "sha256"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
