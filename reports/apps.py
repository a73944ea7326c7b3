from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Lower apps (credentials) announce their writes through common.changes; the rebuild is ours to queue.
        from common.changes import on_report_sources_changed
        from reports.tasks import rollups_refresh_soon

        on_report_sources_changed(rollups_refresh_soon)
