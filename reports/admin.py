from django.contrib import admin

from reports.models import Goal, GoalTarget


class GoalTargetInline(admin.TabularInline):
    model = GoalTarget
    extra = 1


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["name", "metric", "population", "baseline_year", "baseline_value", "target_year", "target_value"]
    list_filter = ["metric", "active"]
    inlines = [GoalTargetInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
