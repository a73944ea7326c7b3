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

        on_report_sources_changed(_sources_changed)  # it stamps RollupState, which the board cache's keys hold
        for label in REPORT_SHOWS:
            model = self.apps.get_model(label)
            post_save.connect(_figures_changed, sender=model, dispatch_uid=f"board-cache-save-{label}")
            post_delete.connect(_figures_changed, sender=model, dispatch_uid=f"board-cache-delete-{label}")


def _figures_changed(*args, **kwargs) -> None:
    from reports.published import figures_changed  # models are loaded by now

    figures_changed()


def _sources_changed(*, student_ids) -> None:
    """Some students' rows changed: their rollups are updated now, in the writer's transaction. Every student's
    (a seal route or a program changed in the admin): a full rebuild is queued for the task worker, in the same
    transaction (it runs once that commits), so no request rebuilds; meanwhile viewers are given the reports built
    before, marked with their time. If the queue cannot take it, the rebuild runs here rather than never."""
    import logging

    from reports.services import rollups_update

    if student_ids is not None:
        rollups_update(student_ids=student_ids)
        return
    from reports.tasks import rebuild_rollups

    try:
        rebuild_rollups.enqueue()
    except Exception:
        logging.getLogger(__name__).exception("could not queue a rebuild of the rollups: rebuilding now")
        rollups_update(student_ids=None)
