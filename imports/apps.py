from django.apps import AppConfig


class ImportsConfig(AppConfig):
    verbose_name = "Imports"
    name = "imports"
