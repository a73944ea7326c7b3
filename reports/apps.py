from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Lower apps (students, pathways, credentials) announce their writes through common.changes; keeping the
        # student-year tables current is ours, in the same transaction as the write.
        from common.changes import on_report_sources_changed
        from reports.services import rollups_update

        on_report_sources_changed(rollups_update)
