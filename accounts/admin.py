from django.contrib import admin

from accounts.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["schools"]
    list_select_related = ["user"]
