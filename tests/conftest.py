import os
import shutil
from pathlib import Path

import pytest

# Sync Playwright runs an event loop in the main thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM}: install it (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def context(context):
    """Browser waits sized for a shared 2-core CI machine: a busy run is slower, not broken."""
    from playwright.sync_api import expect

    context.set_default_timeout(20_000)
    expect.set_options(timeout=15_000)
    return context


@pytest.fixture
def screenshot_dir() -> Path:
    """Where browser tests leave screenshots for a person to look at (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def this_year():
    """The school year containing today, as the counselor workspace sees it."""
    from django.utils import timezone

    from students.services import school_year_for_date_ensure

    return school_year_for_date_ensure(day=timezone.localdate())


@pytest.fixture
def coordinator(client, fast_passwords):
    """A CTE coordinator, logged in on `client`."""
    from accounts.models import Role
    from tests.factories import user_with_role

    user = user_with_role(Role.COORDINATOR, username="coordinator")
    client.force_login(user)
    return user


@pytest.fixture
def fast_passwords(settings):
    """A quick password hasher, for tests that create many users (never in production settings)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two_schools(this_year, fast_passwords):
    """Two schools with one student each enrolled this year, a counselor at each, and an award for each student."""
    from types import SimpleNamespace

    from accounts.models import Role
    from tests.factories import CredentialAwardFactory, EnrollmentFactory, SchoolFactory, user_with_role

    north, south = SchoolFactory(name="North High"), SchoolFactory(name="South High")
    ana = EnrollmentFactory(school=north, school_year=this_year, student__first_name="Ana",
                            student__last_name="Núñez").student  # fmt: skip
    ben = EnrollmentFactory(school=south, school_year=this_year, student__first_name="Ben",
                            student__last_name="Ortiz").student  # fmt: skip
    earned = this_year.start_date
    return SimpleNamespace(
        north=north,
        south=south,
        ana=ana,
        ben=ben,
        ana_award=CredentialAwardFactory(student=ana, earned_on=earned, school_year=this_year),
        ben_award=CredentialAwardFactory(student=ben, earned_on=earned, school_year=this_year),
        counselor=user_with_role(Role.COUNSELOR, schools=[north], username="north_counselor"),
        other_counselor=user_with_role(Role.COUNSELOR, schools=[south], username="south_counselor"),
        coordinator=user_with_role(Role.COORDINATOR, username="coordinator"),
        board=user_with_role(Role.BOARD_VIEWER, username="board"),
    )


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    """Tests sign people in without an authenticator app (force_login, the login form): two-factor sign-in is
    tested on its own in tests/accounts/test_two_factor.py, which turns it back on."""
    settings.TWO_FACTOR_ROLES = []


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database cache is rolled back with the test's transaction anyway,
    but Redis (CACHE_URL) keeps its keys across tests."""
    from django.core.cache import cache

    if settings_module_uses_redis():
        cache.clear()


def settings_module_uses_redis() -> bool:
    from django.conf import settings

    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background tasks (imports, a stale board report's refresh) run at once inside the test, so a test sees their
    result; a stale board report's refresh is queued on every request (tests/reports/test_published.py sets the
    interval where it tests it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.BOARD_REFRESH_INTERVAL_SECONDS = 0


# Setting today's date: use time-machine's `time_machine` fixture, with the time in the district's zone:
#     time_machine.move_to(datetime(2025, 6, 30, 23, 30, tzinfo=ZoneInfo("America/Denver")), tick=False)
# Everything then reads that moment (timezone.now(), timezone.localdate(), date.today()) until the test ends.
# Example: tests/students/test_school_year_boundary.py.


@pytest.fixture(autouse=True)
def _fresh_suppression_rules():
    """Each test starts without the block rules an earlier test's data made (its rolled-back rows may have had
    the same ids, so the data's state alone cannot tell them apart)."""
    from reports import suppression

    suppression._RULES.clear()
    yield
    suppression._RULES.clear()
