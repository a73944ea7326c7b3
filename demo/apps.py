from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district (`seed_demo`): it composes every app, so it sits at the top beside imports."""

    name = "demo"
