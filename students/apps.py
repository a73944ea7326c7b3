from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_name_collation(sender, connection, **kwargs) -> None:
    """SQLite has no ICU collation: give every new SQLite connection one under the name PostgreSQL's has."""
    if connection.vendor == "sqlite":
        from students.models import NAME_COLLATION, name_collation_compare

        connection.connection.create_collation(NAME_COLLATION, name_collation_compare)


class StudentsConfig(AppConfig):
    name = "students"

    def ready(self) -> None:
        connection_created.connect(_register_name_collation, dispatch_uid="students_name_collation")
