"""Load test: 50 counselors and 5 board viewers against gunicorn and PostgreSQL (`make bench-load`).

    .venv/bin/python bench/bench_load.py [--seconds 120] [--workers 3] [--port 8101] [--fresh] [--profile]
        [--counselors 50] [--board-viewers 5] [--coordinators 0] [--students 20000]

1. The PostgreSQL database (cte_bench_load unless --database-name says another) is created when missing,
   migrated, and filled by bench/load_setup.py with a generated district (20,000 students unless --students);
   a complete one is reused.
2. gunicorn serves the app on 127.0.0.1 only, as a district's server runs it (DEBUG off, a SECRET_KEY,
   ALLOWED_HOSTS, static files collected for WhiteNoise), with the task worker beside it. The one difference
   from production: TWO_FACTOR_ROLES is empty (the simulated coordinators have no authenticator app to give a
   code), and SECURE_COOKIES=0, because this test speaks plain HTTP and the Secure login and CSRF
   cookies would never be sent back (production keeps the default, Secure cookies).
3. Locust runs bench/locustfile.py headless for --seconds (BENCH_LOAD_SECONDS in the Makefile), then this
   prints, per request type: count, errors, median, 95th percentile and requests per second, beside the
   target (no error, p95 <= 300 ms), and the load average before and after. Locust's CSV files, the
   summary and the server logs go to bench-data/load/ (git-ignored).
4. Everything started here is stopped at the end, also after an error or Ctrl-C.

--profile samples the gunicorn workers with py-spy during the run and prints where their time went, by
view and by the app's own functions (bench-data/load/profile.txt holds the raw stacks).
Exit status: 0 when every request succeeded, 1 when any failed (the figures are printed either way).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-data" / "load"
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python")
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
P95_TARGET_MS = 300
# The locustfile's user classes, by the option that sets how many of each run (LOAD_<NAME> in its environment).
USER_CLASSES = {"counselors": "Counselor", "board_viewers": "BoardViewer", "coordinators": "Coordinator"}
# --only: one group alone, to see what the other costs it.
GROUPS = {"counselors": ("counselors",), "dashboard": ("board_viewers", "coordinators")}


def pg_admin(sql: str) -> None:
    connection = psycopg2.connect(PG_SERVER + "postgres")
    connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


def database_exists(name: str) -> bool:
    connection = psycopg2.connect(PG_SERVER + "postgres")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None
    finally:
        connection.close()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Processes:
    """The servers this run starts, each in its own session so that it and its children stop together."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("w")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        return process

    def stop_all(self) -> None:
        for _, process in reversed(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, process in reversed(self.running):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop within 15 s: killed", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()


def run(args: list[str], env: dict[str, str]) -> int:
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def prepare_database(options: argparse.Namespace, env: dict[str, str]) -> None:
    name = options.database_name
    if options.fresh and database_exists(name):
        pg_admin(f'DROP DATABASE "{name}"')
    for attempt in (1, 2):
        if not database_exists(name):
            pg_admin(f'CREATE DATABASE "{name}"')
        if run([PY, "manage.py", "migrate", "--noinput", "-v0"], env) != 0:
            raise SystemExit("migrate failed")
        status = run(
            [PY, "bench/load_setup.py", "--out", str(OUT / "district.json"), "--students", str(options.students),
             "--awards", str(options.awards), "--schools", str(options.schools)],
            env,
        )  # fmt: skip
        if status == 0:
            return
        if status != 3 or attempt == 2:
            raise SystemExit(f"load_setup.py failed (exit status {status})")
        print(f"Dropping {name} and generating the district again", flush=True)
        pg_admin(f'DROP DATABASE "{name}"')


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up (exit {server.returncode}); see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {base}/healthz within {seconds:.0f} s")


def summary(stats_csv: Path) -> tuple[list[str], int]:
    """The per-request-type table from Locust's stats CSV, and the number of failed requests."""
    with stats_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    width = max(len(row["Name"]) for row in rows) + 2
    lines = [f"{'request type':<{width}}{'count':>7}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>7}  target"]
    failures = 0
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        errors = int(row["Failure Count"])
        p95 = float(row["95%"]) if row["95%"] not in ("", "N/A") else float("nan")
        verdict = "met" if errors == 0 and p95 <= P95_TARGET_MS else "NOT met"
        if row["Name"] == "Aggregated":
            failures = errors
            verdict = ""
        lines.append(
            f"{name:<{width}}{int(row['Request Count']):>7}{errors:>8}{float(row['50%']):>8.0f}{p95:>8.0f}"
            f"{float(row['Requests/s']):>7.1f}  {verdict}"
        )
    return lines, failures


def profile_report(raw: Path, top: int = 25) -> list[str]:
    """Where the sampled worker time went: per view function, and the app's own functions (self + below)."""
    views: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    app_dirs = ("accounts/", "students/", "pathways/", "credentials/", "reports/", "imports/", "common/")
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = stack.split(";")
        view = next((f for f in frames if "views.py" in f and any(d in f for d in app_dirs)), None)
        if view is None and any("handle_request" in f for f in frames):
            view = "(request outside an app view: middleware, login, static)"
        views[view or "(idle: waiting for a request)"] += n
        # A frame reads "function (path/to/file.py:line)"; count each function once per stack.
        for frame in {f.rsplit(":", 1)[0] + ")" for f in frames if any(d in f for d in app_dirs)}:
            own[frame] += n
    lines = [f"py-spy samples: {total} (100 per second per worker)", "by view:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in views.most_common(top)]
    lines.append("app functions (time in them and below):")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second")
    parser.add_argument("--database-name", default="cte_bench_load")
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--awards", type=int, default=100_000)
    parser.add_argument("--counselors", type=int, default=50, help="simulated counselors")
    parser.add_argument("--board-viewers", type=int, default=5, help="simulated board viewers (suppressed numbers)")
    parser.add_argument("--coordinators", type=int, default=0, help="simulated coordinators (exact numbers)")
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop the database and generate the district again")
    parser.add_argument("--no-task-worker", action="store_true", help="run gunicorn alone, without db_worker")
    parser.add_argument("--profile", action="store_true", help="sample the gunicorn workers with py-spy")
    parser.add_argument(
        "--only",
        choices=sorted(GROUPS),
        help="run one group alone (the counselors, or the dashboard readers) to see what the other costs it",
    )
    options = parser.parse_args()
    counts = {
        name: getattr(options, name)
        for name in USER_CLASSES
        if getattr(options, name) > 0 and (not options.only or name in GROUPS[options.only])
    }
    user_classes, users = [USER_CLASSES[name] for name in counts], sum(counts.values())
    if "bench" not in options.database_name:
        raise SystemExit("The database name must contain 'bench': the run fills it with a generated district.")
    # A stop request (Ctrl-C, kill) goes through the `finally` below, which stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": PG_SERVER + options.database_name,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-load-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",  # plain HTTP here; see the module docstring
        "TWO_FACTOR_ROLES": "",  # the simulated coordinators have no authenticator app; see the module docstring
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    prepare_database(options, env)
    print(f"Database ready in {time.perf_counter() - started:.0f} s", flush=True)
    if run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env) != 0:
        raise SystemExit("collectstatic failed")

    base = f"http://127.0.0.1:{options.port}"
    processes = Processes()
    try:
        server = processes.start(
            "gunicorn",
            [str(VENV_BIN / "gunicorn"), "cte_tracker.wsgi:application", "--bind", f"127.0.0.1:{options.port}",
             "--workers", str(options.workers), "--graceful-timeout", "5"],
            env,
            OUT / "gunicorn.log",
        )  # fmt: skip
        if not options.no_task_worker:
            processes.start(
                "db_worker", [PY, "manage.py", "db_worker", "--queue-name", "*"], env, OUT / "db_worker.log"
            )
        wait_until_up(base, server)
        load_before = load_average()
        print(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}: {users} users for {options.seconds} s against {base} "
            f"({options.workers} gunicorn workers); load average before {load_before}",
            flush=True,
        )
        spy = None
        if options.profile:
            spy = processes.start(
                "py-spy",
                [str(VENV_BIN / "py-spy"), "record", "--subprocesses", "--idle", "--format", "raw", "--rate", "100",
                 "--duration", str(options.seconds), "--output", str(OUT / "profile.txt"), "--pid", str(server.pid)],
                env,
                OUT / "py-spy.log",
            )  # fmt: skip
        locust = processes.start(
            "locust",
            [str(VENV_BIN / "locust"), "-f", "bench/locustfile.py", "--headless", "--host", base,
             "--users", str(users), "--spawn-rate", str(options.spawn_rate), "--run-time", f"{options.seconds}s",
             "--stop-timeout", "10", "--csv", str(OUT / "load"), "--only-summary", "--loglevel", "WARNING",
             *user_classes],
            {
                **env,
                "LOAD_DISTRICT": str(OUT / "district.json"),
                **{f"LOAD_{name.upper()}": str(getattr(options, name)) for name in USER_CLASSES},
            },
            OUT / "locust.log",
        )  # fmt: skip
        try:
            locust.wait(timeout=options.seconds + 90)
        except subprocess.TimeoutExpired:
            raise SystemExit("locust ran past its time; stopped") from None
        load_after = load_average()
        if spy is not None:
            spy.wait(timeout=60)  # py-spy writes its file when its duration ends
    finally:
        processes.stop_all()

    lines, failures = summary(OUT / "load_stats.csv")
    header = [
        f"make bench-load: {datetime.datetime.now():%Y-%m-%d %H:%M}, {options.seconds} s, "
        f"{users} users ({', '.join(f'{counts[name]} {name}' for name in counts)}), "
        f"{options.workers} gunicorn workers{'' if options.no_task_worker else ' + task worker'}, "
        f"database {options.database_name}",
        f"load average before {load_before}, after {load_after} ({os.cpu_count()} cores)",
    ]
    report = header + lines
    if failures:
        report.append(f"{failures} requests failed: see {OUT / 'load_failures.csv'}")
    if options.profile and (OUT / "profile.txt").exists():
        report += profile_report(OUT / "profile.txt")
    (OUT / "summary.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
