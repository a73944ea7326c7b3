"""Admin pieces that belong to no domain."""

from __future__ import annotations

from common.changes import report_sources_changed


class ReportSourceAdminMixin:
    """For the admin of rows a report is built from (enrollments, awards, course completions, programs): each
    save or deletion through the admin tells common.changes which students it touched, in the admin's own
    transaction, as the app's services do. `report_students(obj, form)` names them; None means every student."""

    def report_students(self, obj, form=None) -> set[int] | None:
        students = {obj.student_id}
        if form is not None and form.initial.get("student"):  # an edit that moved the row to another student
            students.add(int(getattr(form.initial["student"], "pk", form.initial["student"])))
        return students

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report_sources_changed(student_ids=self.report_students(form.instance, form))

    def delete_model(self, request, obj):
        students = self.report_students(obj)
        super().delete_model(request, obj)
        report_sources_changed(student_ids=students)

    def delete_queryset(self, request, queryset):
        named = [self.report_students(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        report_sources_changed(student_ids=None if None in named else set().union(*named))
