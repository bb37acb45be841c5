"""The clinic dashboard at scale (issue 14): one clinic following 500 families of two years each
(bench/data.py make_clinic), served by gunicorn on a fresh database as bench/run.py serves the app,
loaded from a second process with run.py's closed-loop users, beside the floor route measured in
the same run. Then, in-process on the same data, the SQL statements of one dashboard request
(a SQLAlchemy event listener) for clinics of 1, 50 and 500 families, and a profile of one request.

usage: .venv/bin/python bench/clinic_dashboard.py [--seconds 8] [--users 20,3] [--databases sqlite,postgresql]
                                                  [--write]
--write puts the section "## Clinic dashboard: 500 families" in bench/RESULTS.md (replacing an
earlier one, keeping the rest of the file). PostgreSQL: CLINIC_BENCH_DATABASE_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/bench_clinic, made if missing; a database of its own,
so that a test run on .../test at the same time is not reset under it).
"""
import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import run  # noqa: E402
from run import WORKERS  # noqa: E402
from serve import PYTHON, ROOT, start, stop  # noqa: E402

from tests.servers import reset_postgres, server_environment  # noqa: E402

APP_PORT, FLOOR_PORT = 8771, 8772
POSTGRES = os.environ.get("CLINIC_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_clinic")
SECTION = "## Clinic dashboard: 500 families"
# The smaller clinics the statement count is repeated on (made after the load, from the same families).
COUNT_SIZES = (1, 50)


# ----------------------------------------------------------------------------------------------
def prepare(database):
    """A fresh database with the clinic's data; returns (env, email, password, clinic id, entries, seconds)."""
    env = server_environment(POSTGRES if database == "postgresql" else None, SECRET_KEY="bench-secret",
                             RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/3")
    if database == "postgresql":
        reset_postgres(POSTGRES)
    else:
        env.pop("DATABASE_URL", None)
        env["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mnd-bench-clinic-")
    started = time.monotonic()
    made = subprocess.run([PYTHON, "-c", "import data; data.make_clinic()"], cwd=BENCH, env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    for line in made.stderr.splitlines():
        if not line.startswith("INFO"):
            print(f"  {line}", file=sys.stderr, flush=True)
    email, password, clinic_id, entries = made.stdout.split()[-4:]
    return env, email, password, int(clinic_id), int(entries), seconds


def run_one(database, users, seconds):
    env, email, password, clinic_id, entries, generation = prepare(database)
    print(f"  data made in {generation:.0f} s ({entries:,} entries)", file=sys.stderr, flush=True)
    row = {"database": database, "entries": entries, "generation_s": generation, "figures": {}}
    app = start(env, APP_PORT, WORKERS)
    floor = start(env, FLOOR_PORT, WORKERS, app="bench.floor:app", ready_path="/")
    try:
        client = run.Client(APP_PORT).sign_in(email, password)
        paths = {"dashboard": f"/clinic/{clinic_id}/", "alerts": f"/clinic/{clinic_id}/?show=alerts"}
        response, page = client.request("GET", paths["dashboard"])
        assert response.status == 200, response.status
        row["rows_all"] = page.count(b'<li class="family-row')
        _response, page = client.request("GET", paths["alerts"])
        row["rows_alerts"] = page.count(b'<li class="family-row')
        for count in users:
            row["figures"][f"floor/{count}"] = run.measure(
                FLOOR_PORT, run.Client(FLOOR_PORT), "floor", None, count, seconds)
            for kind, path in paths.items():
                row["figures"][f"{kind}/{count}"] = run.measure(APP_PORT, client, path, None, count, seconds)
        row["single_user_ms"] = {kind: run.single_user_ms(client, path, 10) for kind, path in paths.items()}
    finally:
        stop(app)
        stop(floor)
    with open(os.path.join(BENCH, "out", f"clinic_dashboard_{database}_load.json"), "w") as raw:
        json.dump(row, raw, indent=1)  # kept should the count below fail
    # In-process, on the same database: statements and a profile.
    counted = subprocess.run([PYTHON, os.path.abspath(__file__), "--count", str(clinic_id), email, password],
                             cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    row["count"] = json.loads(counted.stdout.splitlines()[-1])
    return row


# ----------------------------------------------------------------------------------------------
# In-process: the statements of one request, and where its time goes

def short_sql(statement):
    """A statement to read in a table: the selected columns and IN lists elided."""
    statement = " ".join(statement.split())
    parameter = r"(?:\?|%\(\w+\)s|\$\d+|%s)(?:::\w+)?"
    statement = re.sub(rf"\({parameter}(?:, {parameter})+\)", "(…)", statement)
    statement = re.sub(r"%\((\w+?)(?:_\d+)*\)s::\w+", ":\\1", statement)
    statement = re.sub(r"\(__\[POSTCOMPILE_\w+\]\)", "(…)", statement)
    return re.sub(r"^SELECT (.{50}).*? FROM ", r"SELECT \1… FROM ", statement, count=1)[:220]


def count_statements(clinic_id, email, password):
    from sqlalchemy import event, select

    from caregiver import create_app
    from caregiver.clinics import create_clinic, link_clinic
    from caregiver.extensions import db
    from caregiver.models import ClinicLink, Patient, User

    app = create_app({"AUTO_MIGRATE_SQLITE": False})
    client = app.test_client()
    page = client.get("/account/signin").get_data()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    assert client.post("/account/signin", data={"csrf_token": token, "email": email, "password": password}
                       ).status_code == 302
    statements, sql_seconds = [], [0.0]
    from caregiver import clinics

    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        context._bench_started = time.perf_counter()
        statements.append((statement, parameters))

    def after(conn, cursor, statement, parameters, context, executemany):
        sql_seconds[0] += time.perf_counter() - context._bench_started

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)

    def one(path):
        statements.clear()
        sql_seconds[0] = 0.0
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return {"statements": len(statements), "ms": (time.perf_counter() - started) * 1000,
                "sql_ms": sql_seconds[0] * 1000, "rows": response.get_data().count(b'<li class="family-row'),
                "sql": list(statements)}

    def timed(path, times=5):
        one(path)
        runs = [one(path) for _ in range(times)]
        return {"ms": statistics.median(r["ms"] for r in runs), "sql_ms": statistics.median(r["sql_ms"] for r in runs)}

    with app.app_context():
        linked = db.session.scalars(select(ClinicLink).where(ClinicLink.clinic_id == clinic_id,
                                                             ClinicLink.ended_at.is_(None))
                                    .order_by(ClinicLink.patient_id)).all()
    result = {"sizes": {}, "linked": len(linked)}
    main = f"/clinic/{clinic_id}/"
    one(main)  # the first request of a worker loads more (the session, the catalogues)
    result["sizes"][str(len(linked))] = one(main)
    result["alerts"] = one(main + "?show=alerts")
    result["timing"] = timed(main)
    result["timing_alerts"] = timed(main + "?show=alerts")

    # Where the time goes: the dashboard's data (clinics.dashboard_view, its queries and Python) apart
    # from the page around it; and each statement of the request run again alone, its rows fetched.
    with app.app_context():
        clinics.dashboard_view(clinic_id)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            clinics.dashboard_view(clinic_id)
            runs.append((time.perf_counter() - started) * 1000)
        result["timing"]["data_ms"] = statistics.median(runs)
        raw = db.engine.raw_connection()
        each = []
        for statement, parameters in result["sizes"][str(len(linked))]["sql"]:
            cursor = raw.cursor()
            durations = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                fetched = len(cursor.fetchall())
                durations.append((time.perf_counter() - started) * 1000)
            cursor.close()
            each.append({"sql": short_sql(statement), "ms": statistics.median(durations),
                         "rows": fetched})
        raw.close()
        result["statements"] = each
    result["sizes"][str(len(linked))].pop("sql")

    profile = cProfile.Profile()
    profile.enable()
    one(main)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(20)
    os.makedirs(os.path.join(BENCH, "out"), exist_ok=True)
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    profile.dump_stats(os.path.join(BENCH, "out", f"clinic_dashboard_{database}.prof"))
    with open(os.path.join(BENCH, "out", f"clinic_dashboard_{database}.txt"), "w") as out:
        out.write(text.getvalue())

    # The same request on smaller clinics of the same admin, from the same families.
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == email))
        linked = db.session.scalars(select(ClinicLink).where(ClinicLink.clinic_id == clinic_id,
                                                             ClinicLink.ended_at.is_(None))
                                    .order_by(ClinicLink.patient_id)).all()
        small = {}
        for size in COUNT_SIZES:
            clinic = create_clinic(f"Bench clinic of {size}", admin)
            for link in linked[:size]:
                link_clinic(db.session.get(Patient, link.patient_id), clinic, link.linked_by, False)
            small[size] = clinic.id
    for size, small_id in small.items():
        one(f"/clinic/{small_id}/")
        result["sizes"][str(size)] = one(f"/clinic/{small_id}/")
    for size in COUNT_SIZES:
        result["sizes"][str(size)].pop("sql")
    result["alerts"].pop("sql")
    print(json.dumps(result))


# ----------------------------------------------------------------------------------------------
# The report

def section(rows, args, started):
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load1, load5, _load15 = os.getloadavg()
    lines = [
        SECTION,
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC by `.venv/bin/python bench/clinic_dashboard.py --seconds {args.seconds} "
        f"--users {args.users} --databases {args.databases} --write`, on {platform.node()}: {cores} cores "
        f"(shared with other work: load average {load1:.1f} at the end, {load5:.1f} over 5 minutes), "
        f"{memory:.0f} GiB, Python {platform.python_version()}.",
        "",
        "One clinic, one clinic admin, 500 linked families of two years each (bench/data.py `make_clinic`: ten "
        "families made by the demo generator, copied in SQL up to 500, each linked by its owner with "
        "`clinics.link_clinic`; open alerts in every 5th family, an urgent one too in every 20th, a done one in "
        "every 3rd). gunicorn with "
        f"{WORKERS} sync workers on a fresh database; closed-loop users from a second process for "
        f"{args.seconds} s per line, as bench/run.py, and the floor (bench/floor.py) served the same way in the same "
        "run; each user count has its own floor line. \"one user\" is one user's requests one after another "
        "(median of 10).",
        "",
        "| database | entries | data made in | users | request | families shown | median | p95 | req/s "
        "| median ÷ floor | p95 ÷ floor | one user (ms) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    labels = {"floor": "minimal route (floor)", "dashboard": "GET /clinic/&lt;id&gt;/",
              "alerts": "GET /clinic/&lt;id&gt;/?show=alerts"}
    for row in rows:
        shown = {"floor": "–", "dashboard": row["rows_all"], "alerts": row["rows_alerts"]}
        for key, figure in row["figures"].items():
            kind, users = key.split("/")
            floor = row["figures"][f"floor/{users}"]
            one_user = f"{row['single_user_ms'][kind]:.0f}" if kind in row["single_user_ms"] else "–"
            lines.append(
                f"| {row['database']} | {row['entries']:,} | {row['generation_s'] / 60:.1f} min | {users} | "
                f"{labels[kind]} | {shown[kind]} | {figure['median']:.1f} | {figure['p95']:.1f} | "
                f"{figure['throughput']:.1f} | {figure['median'] / floor['median']:.1f} | "
                f"{figure['p95'] / floor['p95']:.1f} | {one_user} | {figure['errors']} |")
    lines += ["", "SQL statements of one dashboard request (signed in, after a first request), counted in-process on "
              "the same data with a SQLAlchemy `before_cursor_execute` listener; the clinics of 1 and 50 are made "
              "after the load from the same families and admin. Times are one request in the Flask test client "
              "(median of 5 for the full clinic, else one request).", "",
              "| database | families linked | statements | in-process ms |",
              "| --- | --- | --- | --- |"]
    for row in rows:
        count = row["count"]
        for size in [*map(str, COUNT_SIZES), str(count["linked"])]:
            figures = count["sizes"][size]
            ms = count["timing"]["ms"] if size == str(count["linked"]) else figures["ms"]
            lines.append(f"| {row['database']} | {size} | {figures['statements']} | {ms:.0f} |")
        lines.append(f"| {row['database']} | {count['linked']}, ?show=alerts | {count['alerts']['statements']} | "
                     f"{count['timing_alerts']['ms']:.0f} |")
    lines += ["", "Where one request's time goes, in-process, 500 families: the whole request, "
              "`clinics.dashboard_view` alone (its queries and the Python over their rows; the rest of the request "
              "is mostly the template), and each of the request's statements run again alone with its rows fetched "
              "(median of 3; the listener's own time stops before the rows are fetched, and SQLite does its work "
              "while fetching). Profiles: bench/out/clinic_dashboard_DATABASE.prof and .txt.", "",
              "| | " + " | ".join(f"{row['database']} ms | rows" for row in rows) + " |",
              "| --- | " + " | ".join("--- | ---" for _row in rows) + " |",
              "| whole request | " + " | ".join(f"{row['count']['timing']['ms']:.0f} | {row['count']['linked']}"
                                              for row in rows) + " |",
              "| `clinics.dashboard_view` | " + " | ".join(f"{row['count']['timing']['data_ms']:.0f} | "
                                                          f"{row['count']['linked']}" for row in rows) + " |"]
    for number, statement in enumerate(rows[0]["count"]["statements"]):
        sql = statement["sql"].replace("|", "\\|")
        cells = []
        for row in rows:
            each = row["count"]["statements"]
            cells.append(f"{each[number]['ms']:.1f} | {each[number]['rows']}" if number < len(each) else "– | –")
        lines.append(f"| `{sql}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_section(text):
    path = os.path.join(BENCH, "RESULTS.md")
    with open(path) as results:
        current = results.read()
    if SECTION in current:  # replace the earlier run's section, up to the next one
        before, _old = current.split(SECTION, 1)
        after = re.search(r"\n## ", _old)
        current = before.rstrip("\n") + "\n\n" + text + (_old[after.start():] if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    with open(path, "w") as results:
        results.write(current)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--users", default="20,3", help="closed-loop users, one set of lines for each count")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--count", nargs=3, metavar=("CLINIC_ID", "EMAIL", "PASSWORD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count:
        count_statements(int(args.count[0]), args.count[1], args.count[2])
        return
    started = datetime.now(timezone.utc)
    os.makedirs(os.path.join(BENCH, "out"), exist_ok=True)
    if "postgresql" in args.databases:
        run.ensure_postgres_database(POSTGRES)
    rows = []
    for database in args.databases.split(","):
        print(f"{database} ...", file=sys.stderr, flush=True)
        rows.append(run_one(database, [int(count) for count in args.users.split(",")], args.seconds))
        with open(os.path.join(BENCH, "out", "clinic_dashboard.json"), "w") as raw:
            json.dump(rows, raw, indent=1)
    text = section(rows, args, started)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
