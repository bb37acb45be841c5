"""Instructions per request, counted by callgrind around that request only: the stable figures.

Timed figures on this 2-core machine move by 20% from run to run; instruction counts repeat within
a few per cent. Each request is made in process (the Flask test client, signed in), warmed up,
then counted three times with collection switched on only around it (valgrind's client requests,
from a tiny C helper built here); the median is reported, and as a ratio to F, the floor page
(bench/floor.py: base.html, signed in, the membership check, no diary data).

usage: .venv/bin/python bench/instructions.py [--datasets 2y,10y] [--databases sqlite,postgresql]
                                              [--no-pdf] [--only "patient home,history"]
writes bench/instructions.json and prints a Markdown table.
"""
import argparse
import ctypes
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

# What is counted: (label, path with {p} for the patient id).
REQUESTS = (
    ("F: base page, signed in, membership", "/bench/floor/{p}"),
    ("patient home", "/patients/{p}/"),
    ("history, newest 50", "/patients/{p}/history"),
    ("trends, default range", "/patients/{p}/trends"),
    ("trends, 12 months", "/patients/{p}/trends?range=12"),
    ("trends, all", "/patients/{p}/trends?range=all"),
    ("PDF, 12 months", "/patients/{p}/report/summary.pdf?range=12&language=en"),
    ("PDF, whole diary", "/patients/{p}/report/summary.pdf?range=all&language=en"),
)
MARKERS_C = r"""
#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_TOGGLE_COLLECT; }
void count_stop(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
"""
COUNTED = 3  # pages; a PDF (seconds of CPU under valgrind's hundredfold slowdown) is counted once


def markers(directory):
    source = os.path.join(directory, "markers.c")
    library = os.path.join(directory, "markers.so")
    with open(source, "w") as out:
        out.write(MARKERS_C)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", library, source], check=True)
    return ctypes.CDLL(library)


def bump_version(app, patient_id):
    """Make the next request cold: what any write does to the diary's data version."""
    from sqlalchemy import update

    from caregiver.extensions import db
    from caregiver.models import Patient

    with app.app_context():
        db.session.execute(update(Patient).where(Patient.id == patient_id)
                           .values(data_version=Patient.data_version + 1))
        db.session.commit()


def child(args):
    """Runs under valgrind: sign in, warm each request up, then count it cold (after a write), with
    its content cached, and answered 304 (the phone holds the page)."""
    from floor import add_floor_route
    from caregiver import create_app

    lib = markers(args.workdir)
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    add_floor_route(app)
    kept = "data_version" in (column.name for column in app.extensions["sqlalchemy"].metadata.tables["patient"].c)
    client = app.test_client()
    assert client.post("/account/signin", data={"email": args.email, "password": args.password}).status_code == 302
    for number, (label, path) in enumerate(REQUESTS):
        if args.no_pdf and ".pdf" in path:
            continue
        if args.only and number and not any(label.startswith(want) for want in args.only.split(",")):
            continue
        url = path.format(p=args.patient)
        pdf = ".pdf" in url
        for _ in range(1 if pdf else 2):
            assert client.get(url).status_code == 200, url
        for attempt in range(1 if pdf else COUNTED):
            if kept:
                bump_version(app, args.patient)
            lib.count_start()
            client.get(url)
            lib.count_stop(f"r{number}-cold-{attempt}".encode())
        if not kept:
            continue
        for attempt in range(1 if pdf else COUNTED):
            lib.count_start()
            response = client.get(url)
            lib.count_stop(f"r{number}-kept-{attempt}".encode())
        etag = response.headers.get("ETag")
        for attempt in range(COUNTED if etag else 0):
            lib.count_start()
            client.get(url, headers={"If-None-Match": etag})
            lib.count_stop(f"r{number}-304-{attempt}".encode())


def counts_from(directory):
    """{(request number, how): [instructions, ...]} from the dump files callgrind wrote."""
    found = {}
    for name in os.listdir(directory):
        if not name.startswith("callgrind.out"):
            continue
        text = open(os.path.join(directory, name), errors="replace").read()
        trigger = re.search(r"^desc: Trigger: Client Request: r(\d+)-(?:(cold|kept|304)-)?(\d+)", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if trigger and total:
            found.setdefault((int(trigger.group(1)), trigger.group(2) or "cold"), []).append(int(total.group(1)))
    return found


def measure(dataset, database, no_pdf=False, only=""):
    from serve import prepare

    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench") \
        if database == "postgresql" else None
    env, email, password, patient_id, entries = prepare(dataset, url)
    workdir = tempfile.mkdtemp(prefix="mnd-instr-")
    subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={workdir}/callgrind.out",
                    "--dump-instr=no", "--compress-strings=no", sys.executable, os.path.abspath(__file__), "--child",
                    "--workdir", workdir, "--email", email, "--password", password, "--patient", str(patient_id),
                    *(["--no-pdf"] if no_pdf else []), *(["--only", only] if only else [])],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    medians = {}
    for (number, how), values in sorted(counts_from(workdir).items()):
        medians.setdefault(REQUESTS[number][0], {})[how] = statistics.median(values)
    return {"dataset": dataset, "database": database, "entries": entries, "instructions": medians}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", default="2y,10y")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-pdf", action="store_true", help="pages only (a PDF takes minutes under valgrind)")
    parser.add_argument("--only", default="", help="comma-separated labels' beginnings: count these (and F) only")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "instructions.json"))
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--workdir")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--patient", type=int)
    args = parser.parse_args()
    if args.child:
        child(args)
        # Out without finalizers: under valgrind, WeasyPrint's Pango objects can crash when the
        # collector frees them at exit, after every count has been written.
        sys.stdout.flush()
        os._exit(0)
    results = [measure(dataset, database, args.no_pdf, args.only) for database in args.databases.split(",")
               for dataset in args.datasets.split(",")]
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)
    print(table(results))


def table(results):
    lines = ["| database | data | entries | request | cold, M instr (×F) | content cached (×F) | 304 (×F) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for result in results:
        floor = result["instructions"][REQUESTS[0][0]]["cold"]

        def cell(counts, how):
            return f"{counts[how] / 1e6:,.1f} ({counts[how] / floor:,.2f})" if how in counts else "–"

        for label, counts in result["instructions"].items():
            lines.append(f"| {result['database']} | {result['dataset']} | {result['entries']:,} | {label} | "
                         f"{cell(counts, 'cold')} | {cell(counts, 'kept')} | {cell(counts, '304')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
