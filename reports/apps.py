from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# What a board report shows besides enrollments, awards and course completions (the rollups' sources): names,
# the school years' dates, the goals. A change to any of them retires the cached reports (reports/published.py).
REPORT_SHOWS = (
    "students.School",
    "students.SchoolYear",
    "credentials.Credential",
    "pathways.ProgramOfStudy",
    "pathways.ProgramCourse",
    "reports.Goal",
    "reports.GoalTarget",
)


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Lower apps (students, pathways, credentials) announce their writes through common.changes; keeping the
        # student-year tables current is ours, in the same transaction as the write.
        from common.changes import on_report_sources_changed
        from reports.services import rollups_update

        on_report_sources_changed(rollups_update)  # it stamps RollupState, which the board cache's keys hold
        for label in REPORT_SHOWS:
            model = self.apps.get_model(label)
            post_save.connect(_figures_changed, sender=model, dispatch_uid=f"board-cache-save-{label}")
            post_delete.connect(_figures_changed, sender=model, dispatch_uid=f"board-cache-delete-{label}")


def _figures_changed(*args, **kwargs) -> None:
    from reports.published import figures_changed  # models are loaded by now

    figures_changed()
