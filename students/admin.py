from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReportSourceAdminMixin
from students.models import District, Enrollment, School, SchoolYear, Student


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "state_code"]
    search_fields = ["name", "state_code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district", "active"]
    list_filter = ["district", "active"]
    search_fields = ["name", "code"]


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["label", "start_date", "end_date"]
    readonly_fields = ["label", "start_date", "end_date"]


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(Student)
class StudentAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["local_id", "last_name", "first_name", "state_id", "birth_date"]
    search_fields = ["local_id", "state_id", "last_name", "first_name", "search_text"]
    list_filter = ["enrollments__school", "enrollments__school_year", "sex", "race_ethnicity"]
    inlines = [EnrollmentInline]

    def report_students(self, obj, form=None) -> set[int]:
        return {obj.pk}  # its enrollments (the inline), or all its rows when it is deleted


@admin.register(Enrollment)
class EnrollmentAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "student",
        "school_year",
        "school",
        "grade",
        "special_education",
        "emergent_bilingual",
        "economically_disadvantaged",
    ]
    list_filter = [
        "school_year",
        "school",
        "grade",
        "special_education",
        "emergent_bilingual",
        "economically_disadvantaged",
    ]
    search_fields = ["student__local_id", "student__last_name", "student__first_name"]
    list_select_related = ["student", "school_year", "school"]
    autocomplete_fields = ["student", "school"]
