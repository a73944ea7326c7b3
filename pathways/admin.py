from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReportSourceAdminMixin
from pathways.models import (
    Assessment,
    AssessmentResult,
    CareerCluster,
    CareerPathway,
    Course,
    CourseCompletion,
    ProgramCourse,
    ProgramOfStudy,
    SealAward,
    SealEvidence,
    SealPathway,
    SealRouteAssessment,
)


class CareerPathwayInline(admin.TabularInline):
    model = CareerPathway
    extra = 0


@admin.register(CareerCluster)
class CareerClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "framework"]
    list_filter = ["framework"]
    search_fields = ["name", "code"]
    inlines = [CareerPathwayInline]


@admin.register(CareerPathway)
class CareerPathwayAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "cluster"]
    list_filter = ["cluster"]
    search_fields = ["name", "code"]


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "credits", "is_cte", "is_ap", "is_dual_credit", "is_world_language", "language"]
    list_filter = ["is_cte", "is_ap", "is_dual_credit", "is_world_language", "active"]
    search_fields = ["code", "name", "language"]


class ProgramCourseInline(admin.TabularInline):
    model = ProgramCourse
    extra = 0
    autocomplete_fields = ["course"]


@admin.register(ProgramOfStudy)
class ProgramOfStudyAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "code", "pathway", "concentrator_threshold", "completer_threshold", "active"]
    list_filter = ["active", "schools", "pathway__cluster"]
    search_fields = ["name", "code"]
    filter_horizontal = ["schools", "credentials"]
    inlines = [ProgramCourseInline]

    def report_students(self, obj, form=None) -> None:
        return None  # thresholds and sequence decide every participant's status: a full rebuild


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["student", "course", "school_year", "passed", "final_grade", "college_credit_hours"]
    list_filter = ["school_year", "passed", "course__is_cte", "course__is_dual_credit"]
    search_fields = ["student__local_id", "student__last_name", "course__code", "course__name"]
    list_select_related = ["student", "course", "school_year"]
    autocomplete_fields = ["student", "course"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "scale_min", "scale_max"]
    search_fields = ["name", "code"]


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["student", "assessment", "language", "score", "taken_on"]
    list_filter = ["assessment", "language"]
    search_fields = ["student__local_id", "student__last_name"]
    list_select_related = ["student", "assessment"]
    autocomplete_fields = ["student"]


@admin.register(SealEvidence)
class SealEvidenceAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    list_display = ["student", "kind", "language", "approved_on", "approved_by"]
    list_filter = ["kind", "language"]
    search_fields = ["student__local_id", "student__last_name"]
    list_select_related = ["student", "approved_by"]
    autocomplete_fields = ["student"]


class SealRouteAssessmentInline(admin.TabularInline):
    model = SealRouteAssessment
    extra = 0


@admin.register(SealPathway)
class SealPathwayAdmin(ReportSourceAdminMixin, SimpleHistoryAdmin):
    """The app's own pages (Seal routes) check a route's rules; this is for IT. A change here concerns every
    student's seal status, so the board's tables are rebuilt on save."""

    inlines = [SealRouteAssessmentInline]

    def report_students(self, obj, form=None) -> None:
        return None

    filter_horizontal = ["courses"]
    list_display = ["name", "code", "route", "units_required", "status"]
    list_filter = ["route", "status"]
    search_fields = ["name", "code"]


@admin.register(SealAward)
class SealAwardAdmin(SimpleHistoryAdmin):
    list_display = ["student", "language", "pathway", "awarded_on", "school_year"]
    list_filter = ["school_year", "pathway", "language"]
    search_fields = ["student__local_id", "student__last_name", "language"]
    list_select_related = ["student", "pathway", "school_year"]
    autocomplete_fields = ["student"]
