"""Import benchmark: a 100,000-student roster as CSV and as XLSX, on SQLite and PostgreSQL, beside
django-import-export with its documented fastest settings, in the same run; then 100,000 credential
awards for those students, imported and undone.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--iex-rows 20000] [--skip-postgres]
        [--skip-sqlite] [--skip-iex] [--database-name cte_bench_import] [--index-costs]

Every measurement runs in its own process so the peak memory (ru_maxrss) is that import's alone.
Files go to bench-data/ (git-ignored); the PostgreSQL database (cte_bench_import unless
--database-name says another, so two people on one server do not drop each other's) is created and
dropped. "check CPU" is the processor time (time.process_time) spent validating the file: steadier on a
busy machine than the wall-clock seconds, which include the database's share.

On PostgreSQL the run also measures what PostgreSQL alone needs to take the rows of the first import:
the students, enrollments and both history tables it wrote are read back and COPYed, in one transaction
committed like the import's (so with its deferred foreign-key checks), into a copy of the freshly migrated
database (same tables, same indexes). The import's time over that COPY's is the ratio reported.
--index-costs then repeats that COPY once without each secondary index and once without the foreign keys,
and prints what each one costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
HEADER = [
    "Student_Number",
    "State_StudentNumber",
    "First_Name",
    "Last_Name",
    "Middle_Name",
    "DOB",
    "Grade_Level",
    "School Name",
    "IEP",
    "LEP_Status",
    "FRL",
]
FIRST = ["Ana", "Luis", "Maria", "José", "Emma", "Noah", "Sofia", "Liam", "Mia", "Diego", "Ava", "Mateo"]
LAST = ["García", "Martinez", "Lopez", "Chavez", "Smith", "Johnson", "Núñez", "Baca", "Romero", "Sanchez"]
SCHOOLS = ["Socorro High School", "Sarracino Middle School", "Cottonwood Valley Charter", "Midway Elementary"]


def roster_rows(count: int, first_id: int):
    rnd = random.Random(first_id)
    for n in range(first_id, first_id + count):
        yield [
            f"{n:07d}",
            f"9{n:09d}",
            rnd.choice(FIRST),
            rnd.choice(LAST),
            "",
            (date(2007, 1, 1) + timedelta(days=rnd.randrange(1500))).isoformat(),
            str(rnd.randrange(9, 13)),
            rnd.choice(SCHOOLS),
            rnd.choice("YN"),
            rnd.choice(["Yes", "No"]),
            rnd.choice("10"),
        ]


def write_csv(path: Path, count: int, first_id: int) -> None:
    if path.exists():
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(count, first_id))


def write_xlsx(path: Path, count: int, first_id: int) -> None:
    if path.exists():
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(HEADER)
    for row in roster_rows(count, first_id):
        # IDs as text (keeps zeros), the grade as a number and the birth date as a real Excel date.
        row[5] = date.fromisoformat(row[5])
        row[6] = int(row[6])
        sheet.append(row)
    workbook.save(path)


def write_awards_csv(path: Path, count: int, first_id: int) -> None:
    """One OSHA-10 award per roster student of write_csv(first_id), all in school year 2024-25."""
    if path.exists():
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student Number", "Credential", "Date Earned", "Certificate #"])
        writer.writerows([f"{n:07d}", "OSHA10", "3/3/2025", f"C-{n}"] for n in range(first_id, first_id + count))


# ---- one measurement, in a child process ----------------------------------------------------------


def worker(engine: str, path: str, history: bool) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cte_tracker.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from imports.importers import Importer

    check_cpu = [0.0]
    validate = Importer.validate

    def timed_validate(self):
        started = time.process_time()
        try:
            return validate(self)
        finally:
            check_cpu[0] += time.process_time() - started

    Importer.validate = timed_validate
    data = Path(path).read_bytes()
    start = time.perf_counter()
    if engine == "ours":
        from imports.models import ImportBatch
        from imports.services import batch_create, batch_run

        batch = batch_create(
            kind=ImportBatch.Kind.STUDENTS,
            data=data,
            filename=Path(path).name,
            user=None,
            options={"school_year": "2024-25", "history": history, "create_schools": True},
        )
        batch = batch_run(batch=batch)
        assert batch.status == ImportBatch.Status.COMPLETED, (batch.message, batch.errors[:5])
        rows = batch.total_rows
        detail = f"created {batch.created_count}, updated {batch.updated_count}, unchanged {batch.unchanged_count}"
    elif engine == "awards":
        from credentials.models import Credential
        from imports.models import ImportBatch
        from imports.services import batch_create, batch_run, batch_undo

        Credential.objects.get_or_create(code="OSHA10", defaults={"name": "OSHA 10-Hour", "issuer": "OSHA"})
        start = time.perf_counter()  # the catalog entry is set-up, not part of the import
        batch = batch_create(kind=ImportBatch.Kind.CREDENTIALS, data=data, filename=Path(path).name, user=None)
        batch = batch_run(batch=batch)
        assert batch.status == ImportBatch.Status.COMPLETED, (batch.message, batch.errors[:5])
        rows = batch.total_rows
        imported = time.perf_counter()
        removed = batch_undo(batch=batch, reason="benchmark")
        undo = time.perf_counter() - imported
        detail = f"created {batch.created_count}; undo removed {removed:,} in {undo:.2f} s ({removed / undo:,.0f}/s)"
        start += undo  # the rows/s column is the import's alone
    else:
        import tablib
        from import_export import fields, resources
        from import_export.instance_loaders import CachedInstanceLoader

        from students.models import Student

        class StudentResource(resources.ModelResource):
            local_id = fields.Field(attribute="local_id", column_name="Student_Number")
            state_id = fields.Field(attribute="state_id", column_name="State_StudentNumber")
            first_name = fields.Field(attribute="first_name", column_name="First_Name")
            last_name = fields.Field(attribute="last_name", column_name="Last_Name")
            birth_date = fields.Field(attribute="birth_date", column_name="DOB")

            class Meta:
                model = Student
                fields = ("local_id", "state_id", "first_name", "last_name", "birth_date")
                import_id_fields = ("local_id",)
                # The settings its documentation gives for speed ("Bulk imports").
                use_bulk = True
                batch_size = 1000
                skip_diff = True
                skip_html_diff = True
                skip_unchanged = False
                force_init_instance = True
                instance_loader_class = CachedInstanceLoader
                use_transactions = True

        fmt = "xlsx" if path.endswith(".xlsx") else "csv"
        dataset = tablib.Dataset().load(data if fmt == "xlsx" else data.decode("utf-8-sig"), format=fmt)
        result = StudentResource().import_data(dataset, raise_errors=True)
        rows = len(dataset)
        detail = f"new {result.totals.get('new', 0)}, errors {len(result.row_errors())}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"rows": rows, "seconds": seconds, "check_cpu": check_cpu[0], "peak_mb": peak, "detail": detail}
    print(json.dumps(result))


def measure(db_url: str, engine: str, path: Path, history: bool = True) -> dict:
    env = {**os.environ, "DATABASE_URL": db_url, "MEDIA_ROOT": str(DATA / "media")}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, str(path), "1" if history else "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode:
        raise SystemExit(f"{engine} on {path.name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def migrate(db_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)


def pg(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


# ---- PostgreSQL alone: COPY of the rows the first import wrote --------------------------------------------

# What a roster import writes, in the order it writes it, and the rows they point at (set up, not timed).
IMPORT_TABLES = [
    "students_student",
    "students_enrollment",
    "students_historicalstudent",
    "students_historicalenrollment",
]
# --index-costs: COPYs with and without each index, alternated; each pair is two full COPYs.
INDEX_COST_PAIRS = 1
REFERENCED_TABLES = ["students_district", "students_school", "students_schoolyear"]


def pg_connect(database: str):
    import psycopg2

    return psycopg2.connect(PG_SERVER + database)


def dump_tables(database: str, tables: list[str]) -> dict[str, bytes]:
    import io

    conn = pg_connect(database)
    dumped = {}
    with conn.cursor() as cursor:
        for table in tables:
            buffer = io.BytesIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            dumped[table] = buffer.getvalue()
    conn.close()
    return dumped


def copy_into(database: str, rows: dict[str, bytes], tables: list[str], *, before: list[str] = ()) -> float:
    """Seconds to COPY `rows` of `tables` into `database` and commit; `before` runs first, untimed."""
    import io

    conn = pg_connect(database)
    with conn.cursor() as cursor:
        for statement in before:
            cursor.execute(statement)
        conn.commit()
        started = time.perf_counter()
        for table in tables:
            cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(rows[table]))
        conn.commit()  # the deferred foreign-key checks run here, as at the end of the import
        seconds = time.perf_counter() - started
    conn.close()
    return seconds


def copy_baseline(template: str, rows: dict[str, bytes], *, before: list[str] = ()) -> float:
    """COPY the import's rows into a fresh copy of the migrated database `template`."""
    target = f"{template}_run"
    pg(f'DROP DATABASE IF EXISTS "{target}"')
    pg(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    try:
        copy_into(target, rows, REFERENCED_TABLES)
        return copy_into(target, rows, IMPORT_TABLES, before=before)
    finally:
        pg(f'DROP DATABASE IF EXISTS "{target}"')


def secondary_indexes(database: str) -> list[tuple[str, str]]:
    """(table, index) of every index on the import's tables that backs no primary key or constraint."""
    conn = pg_connect(database)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class c ON c.oid = x.indrelid WHERE c.relname = ANY(%s) AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY 1, 2",
            [IMPORT_TABLES],
        )
        found = cursor.fetchall()
    conn.close()
    return found


def foreign_keys(database: str) -> list[tuple[str, str]]:
    conn = pg_connect(database)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.contype = 'f' AND c.relname = ANY(%s) ORDER BY 1, 2",
            [IMPORT_TABLES],
        )
        found = cursor.fetchall()
    conn.close()
    return found


def report_copy_baseline(template: str, database: str, import_seconds: float, index_costs: bool) -> None:
    rows = dump_tables(database, REFERENCED_TABLES + IMPORT_TABLES)
    counts = {table: rows[table].count(b"\n") for table in IMPORT_TABLES}
    timings = sorted(copy_baseline(template, rows) for _ in range(3))
    seconds = timings[1]
    written = ", ".join(f"{table.removeprefix('students_')} {n:,}" for table, n in counts.items())
    runs = ", ".join(f"{t:.2f}" for t in timings)
    print(
        f"\nPostgreSQL alone, COPY of the {sum(counts.values()):,} rows the first import wrote ({written}) into "
        f"the same tables and indexes, one transaction: median of 3 {seconds:.2f} s ({runs}); the import took "
        f"{import_seconds:.2f} s, {import_seconds / seconds:.2f}x that (target: at most 1.5x)",
        flush=True,
    )
    if not index_costs:
        return
    print("\n| without | COPY seconds | saved (s) |\n|---|---|---|")
    variants = [(f"index {index} ({table})", [f'DROP INDEX "{index}"']) for table, index in secondary_indexes(template)]
    keys = foreign_keys(template)
    variants.append(
        (f"the {len(keys)} foreign keys", [f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"' for table, name in keys])
    )
    for label, statements in variants:
        # Alternated with the full COPY, so a change in the machine's load shows in both.
        pairs = [
            (copy_baseline(template, rows), copy_baseline(template, rows, before=statements))
            for _ in range(INDEX_COST_PAIRS)
        ]
        full, without = (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))
        print(f"| {label} | {without:.2f} | {full - without:+.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--iex-rows", type=int, default=20_000, help="rows given to django-import-export")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-iex", action="store_true", help="leave out the django-import-export runs")
    parser.add_argument("--database-name", default="cte_bench_import", help="PostgreSQL database to create and drop")
    parser.add_argument(
        "--index-costs", action="store_true", help="on PostgreSQL, time the COPY without each secondary index"
    )
    args = parser.parse_args()
    database = args.database_name
    DATA.mkdir(exist_ok=True)
    n = args.rows
    files = {
        "csv": DATA / f"roster_{n}.csv",
        "xlsx": DATA / f"roster_{n}.xlsx",
        "csv_nohistory": DATA / f"roster_{n}_b.csv",
        "iex_csv": DATA / f"roster_iex_{args.iex_rows}.csv",
        "iex_xlsx": DATA / f"roster_iex_{args.iex_rows}.xlsx",
        "awards": DATA / f"awards_{n}.csv",
    }
    started = time.perf_counter()
    write_csv(files["csv"], n, 1)
    write_xlsx(files["xlsx"], n, 2_000_001)
    write_csv(files["csv_nohistory"], n, 4_000_001)
    write_csv(files["iex_csv"], args.iex_rows, 6_000_001)
    write_xlsx(files["iex_xlsx"], args.iex_rows, 7_000_001)
    write_awards_csv(files["awards"], n, 1)
    print(f"files ready in {time.perf_counter() - started:.0f} s: {', '.join(p.name for p in files.values())}")

    databases = []
    if not args.skip_sqlite:
        databases.append(("SQLite", f"sqlite:///{DATA / 'bench.sqlite3'}"))
    if not args.skip_postgres:
        databases.append(("PostgreSQL", PG_SERVER + database))
    for label, url in databases:
        if label == "SQLite":
            (DATA / "bench.sqlite3").unlink(missing_ok=True)
        else:
            pg(f'DROP DATABASE IF EXISTS "{database}"')
            pg(f'CREATE DATABASE "{database}"')
        template = f"{database}_migrated"
        try:
            migrate(url)
            if label == "PostgreSQL":  # the freshly migrated database, for the COPY baseline
                pg(f'DROP DATABASE IF EXISTS "{template}"')
                pg(f'CREATE DATABASE "{template}" TEMPLATE "{database}"')
            runs = [
                ("ours", "CSV, new students (with history)", files["csv"], True),
                ("ours", "XLSX, new students (with history)", files["xlsx"], True),
                ("ours", "CSV, same file again (unchanged)", files["csv"], True),
                ("ours", "CSV, new students, no history rows", files["csv_nohistory"], False),
                ("awards", "Awards CSV, new awards (with history), then undone", files["awards"], True),
                ("iex", f"django-import-export CSV ({args.iex_rows:,} rows)", files["iex_csv"], True),
                ("iex", f"django-import-export XLSX ({args.iex_rows:,} rows)", files["iex_xlsx"], True),
            ]
            if args.skip_iex:
                runs = [run for run in runs if run[0] != "iex"]
            baseline: dict[str, bool] = {}
            print(f"\n{label}")
            print("| run | rows | seconds | rows/s | check CPU (s) | peak memory (MB) | result |")
            print("|---|---|---|---|---|---|---|")
            for engine, title, path, history in runs:
                r = measure(url, engine, path, history)
                print(
                    f"| {title} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} "
                    f"| {r['check_cpu']:.2f} | {r['peak_mb']:.0f} | {r['detail']} |",
                    flush=True,
                )
                if label == "PostgreSQL" and path == files["csv"] and engine == "ours" and "first" not in baseline:
                    baseline["first"] = True
                    report_copy_baseline(template, database, r["seconds"], args.index_costs)
                    print("\n| run | rows | seconds | rows/s | check CPU (s) | peak memory (MB) | result |")
                    print("|---|---|---|---|---|---|---|")
        finally:
            if label == "PostgreSQL":
                pg(f'DROP DATABASE IF EXISTS "{database}"')
                pg(f'DROP DATABASE IF EXISTS "{template}"')
            else:
                (DATA / "bench.sqlite3").unlink(missing_ok=True)
            # The batches' stored copies of the uploads (~250 MB per database).
            shutil.rmtree(DATA / "media", ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main()
