"""factory_boy factories for every model a test needs."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import factory
from django.contrib.auth import get_user_model

from accounts.models import Role, StaffProfile
from accounts.services import staff_set_role
from common import changes
from common.changes import report_sources_changed
from credentials.models import Credential, CredentialAlias, CredentialAward
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
    SealPathway,
)
from students.models import District, Enrollment, School, SchoolYear, Student, parse_school_year_label
from students.services import school_year_ensure, school_year_for_date_ensure


def school_year(label: str = "2024-25") -> SchoolYear:
    return school_year_ensure(start_year=parse_school_year_label(label))


TEST_PASSWORD = "pw-for-tests-1"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["state_code"]

    name = "Test District"
    state_code = "999"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"School {n}")


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    local_id = factory.Sequence(lambda n: f"{n + 1:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    birth_date = date(2008, 5, 1)


class _ReportSourceFactory(factory.django.DjangoModelFactory):
    """A row the dashboard's tables are built from, created as the app's write paths create one: the tables
    follow in the same transaction (common.changes). A test that wants a write the tables miss uses the ORM."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        report_sources_changed(student_ids=cls._students(row))
        return row

    @staticmethod
    def _students(row) -> list[int] | None:
        return [row.student_id]


@contextmanager
def rollups_rebuilt_after() -> Iterator[None]:
    """Build a large district with the factories, then rebuild the rollups once, as a bulk load does, instead of
    one incremental update per row (hundreds of students would otherwise take minutes on PostgreSQL)."""
    from reports.services import rollups_refresh

    kept = list(changes._listeners)
    changes._listeners[:] = []
    try:
        yield
    finally:
        changes._listeners[:] = kept
    rollups_refresh()


class EnrollmentFactory(_ReportSourceFactory):
    class Meta:
        model = Enrollment

    student = factory.SubFactory(StudentFactory)
    school_year = factory.LazyFunction(lambda: school_year("2024-25"))
    school = factory.SubFactory(SchoolFactory)
    grade = 11


class CareerClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerCluster

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Cluster {n}")


class CareerPathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerPathway

    cluster = factory.SubFactory(CareerClusterFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Pathway {n}")


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    code = factory.Sequence(lambda n: f"CRED{n}")
    name = factory.Sequence(lambda n: f"Credential {n}")
    issuer = "Issuer"


class CredentialAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CredentialAlias

    credential = factory.SubFactory(CredentialFactory)
    alias = factory.Sequence(lambda n: f"Alias {n}")


class CredentialAwardFactory(_ReportSourceFactory):
    class Meta:
        model = CredentialAward

    student = factory.SubFactory(StudentFactory)
    credential = factory.SubFactory(CredentialFactory)
    earned_on = date(2024, 10, 15)
    school_year = factory.LazyAttribute(lambda o: school_year_for_date_ensure(day=o.earned_on))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"CRS{n}")
    name = factory.Sequence(lambda n: f"Course {n}")
    is_cte = True


class ProgramOfStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramOfStudy

    code = factory.Sequence(lambda n: f"PRG{n}")
    name = factory.Sequence(lambda n: f"Program {n}")


class ProgramCourseFactory(_ReportSourceFactory):
    class Meta:
        model = ProgramCourse

    @staticmethod
    def _students(row) -> None:
        return None  # a program's sequence decides every participant's status: a full rebuild

    program = factory.SubFactory(ProgramOfStudyFactory)
    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)


class CourseCompletionFactory(_ReportSourceFactory):
    class Meta:
        model = CourseCompletion

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory)
    school_year = factory.LazyFunction(lambda: school_year("2024-25"))
    passed = True


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        django_get_or_create = ["code"]

    code = "AP-SPAN"
    name = "AP Spanish Language and Culture"
    kind = Assessment.Kind.AP
    scale_min = 1
    scale_max = 5


class SealPathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SealPathway

    code = factory.Sequence(lambda n: f"ROUTE{n}")
    name = factory.Sequence(lambda n: f"Seal route {n}")
    route = SealPathway.Route.FOUR_COURSES
    status = SealPathway.Status.OFFERED
    languages = "Spanish"


class AssessmentResultFactory(_ReportSourceFactory):
    class Meta:
        model = AssessmentResult

    student = factory.SubFactory(StudentFactory)
    assessment = factory.SubFactory(AssessmentFactory)
    language = "Spanish"
    score = 3
    taken_on = date(2025, 5, 10)


class SealAwardFactory(_ReportSourceFactory):
    class Meta:
        model = SealAward

    student = factory.SubFactory(StudentFactory)
    pathway = factory.SubFactory(SealPathwayFactory)
    language = "Spanish"
    awarded_on = date(2025, 5, 15)
    school_year = factory.LazyAttribute(lambda o: school_year_for_date_ensure(day=o.awarded_on))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(TEST_PASSWORD)


def user_with_role(role: str, *, schools=(), **kwargs):
    """A user in the role's group; a counselor is linked to `schools`."""
    user = UserFactory(**kwargs)
    staff_set_role(user=user, role=role, schools=schools)
    if role == Role.COUNSELOR:
        StaffProfile.objects.get_or_create(user=user)  # a counselor with no school yet still has a profile
    return user
