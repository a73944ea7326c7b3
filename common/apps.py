from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers that belong to no domain (the formula-safe tabular writer, form widgets); imports no other app."""

    name = "common"
