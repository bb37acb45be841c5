"""The benchmark: every data set, on SQLite and PostgreSQL, served by gunicorn, loaded from a second
process, each figure beside its floors measured in the same run: the minimal route, and F (the
realistic floor of a diary page, bench/floor.py) served by the app's own workers. Writes
bench/out/load.md, the tables bench/RESULTS.md takes them from.

usage: .venv/bin/python bench/run.py [--seconds 8] [--users 20] [--databases sqlite,postgresql]
                                     [--datasets 2y,10y,1000]
PostgreSQL: BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench, made if missing).
"""
import argparse
import gzip
import http.client
import json
import multiprocessing
import os
import platform
import re
import statistics
import sys
import threading
import time
import uuid
from datetime import date, datetime, timezone
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import ROOT, prepare, start, stop  # noqa: E402

APP_PORT, FLOOR_PORT = 8761, 8762
WORKERS = 3
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
DATASET_NAMES = {"2y": "1 family, 2 years", "10y": "1 family, 10 years heavy", "1000": "1,000 families, 2 years"}


class Client:
    """A signed-in browser, as far as the server can tell: a session cookie and the form token."""

    def __init__(self, port, cookie="", token=""):
        self.port, self.cookie, self.token = port, cookie, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, content_type=None):
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.token, "Accept-Encoding": "gzip"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # a closed keep-alive: once more, on a new connection
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        # Every cookie the server sets is kept (sign-in sets the known-device cookie and the session).
        cookies = dict(pair.split("=", 1) for pair in self.cookie.split("; ") if "=" in pair)
        for header in response.msg.get_all("Set-Cookie") or ():
            name, value = header.split(";")[0].split("=", 1)
            cookies[name] = value
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response, data

    def sign_in(self, email, password):
        _response, page = self.request("GET", "/account/signin")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        response, _page = self.request("POST", "/account/signin", urlencode(
            {"csrf_token": token, "email": email, "password": password}), "application/x-www-form-urlencoded")
        assert response.status == 302, "sign-in failed"
        response, home = self.request("GET", "/patients/")
        response, home = self.request("GET", response.getheader("Location") or "/patients/")
        self.token = re.search(rb'name="csrf-token" content="([^"]+)"', home).group(1).decode()
        return self


def one_request(client, kind, patient_id):
    """One request of a kind (or a GET of `kind` itself when it is a path); returns whether it did
    what it should. A page must answer 200: a redirect to sign-in is a failure, not a fast page."""
    if kind == "quick_log":
        body = urlencode({"csrf_token": client.token, "region": "calf", "side": "left"})
        response, _data = client.request("POST", f"/patients/{patient_id}/log/cramps", body,
                                         "application/x-www-form-urlencoded")
        return response.status == 302  # a form shown again saved nothing
    if kind == "sync_50":
        entries = [{"uuid": str(uuid.uuid4()), "kind": "symptom", "tz": "UTC",
                    "fields": {"symptom": "twitching", "occurred_at": "2026-11-01T10:00"}} for _ in range(50)]
        response, _data = client.request("POST", f"/patients/{patient_id}/sync", json.dumps({"entries": entries}),
                                         "application/json")
        return response.status == 200
    path = kind if kind.startswith("/") else {
        "floor": "/", "F": f"/bench/floor/{patient_id}", "home": f"/patients/{patient_id}/",
        "history": f"/patients/{patient_id}/history", "trends": f"/patients/{patient_id}/trends",
        "trends_12": f"/patients/{patient_id}/trends?range=12"}[kind]
    response, _data = client.request("GET", path)
    return response.status == 200


def user_loop(port, cookie, token, kind, patient_id, deadline, results):
    client = Client(port, cookie, token)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        done = one_request(client, kind, patient_id)
        results.append((time.perf_counter() - started, done))


def load(port, cookie, token, kind, patient_id, users, seconds, queue):
    """In a process of its own: `users` closed-loop users for `seconds`; sends back the latencies."""
    results, deadline = [], time.monotonic() + seconds
    threads = [threading.Thread(target=user_loop, args=(port, cookie, token, kind, patient_id, deadline, results))
               for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def measure(port, client, kind, patient_id, users, seconds):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=load, args=(port, client.cookie, client.token, kind, patient_id,
                                                         users, seconds, queue))
    process.start()
    results = queue.get()
    process.join()
    latencies = sorted(latency for latency, _done in results)
    errors = sum(1 for _latency, done in results if not done)
    return {"median": statistics.median(latencies) * 1000, "p95": latencies[int(len(latencies) * 0.95)] * 1000,
            "throughput": len(results) / seconds, "requests": len(results), "errors": errors}


def timed(client, path, times):
    """A single user's seconds for a request, the median of `times` (after one to warm up). Each
    asks with a query of its own, so that a kept PDF (caregiver/pages.py) is made afresh each time."""
    client.request("GET", path)
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        response, data = client.request("GET", f"{path}&fresh={uuid.uuid4().hex}" if "?" in path else path)
        assert response.status == 200 and data[:4] == b"%PDF", (path, response.status)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def worker_memory(server):
    """The resident memory (MB) of each gunicorn worker of a server (its children)."""
    sizes = []
    pid = server.process.pid
    for child in open(f"/proc/{pid}/task/{pid}/children").read().split():
        status = open(f"/proc/{child}/status").read()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def run_one(database, dataset, users, seconds):
    env, email, password, patient_id, entries = prepare(dataset, POSTGRES if database == "postgresql" else None)
    app = start(env, APP_PORT, WORKERS, app="bench.floor:with_floor()")
    floor = start(env, FLOOR_PORT, WORKERS, app="bench.floor:app", ready_path="/")
    try:
        client = Client(APP_PORT).sign_in(email, password)
        row = {"database": database, "dataset": dataset, "entries": entries, "figures": {}}
        row["figures"]["floor"] = measure(FLOOR_PORT, Client(FLOOR_PORT), "floor", patient_id, users, seconds)
        for kind in ("F", "home", "history", "trends", "trends_12"):
            row["figures"][kind] = measure(APP_PORT, client, kind, patient_id, users, seconds)
        # One user's PDFs and trends page, before the write loads below add thousands of entries.
        today = date.today()
        row["pdf_floor"] = timed(Client(FLOOR_PORT), "/pdf", 5)
        row["pdf_12_months"] = timed(client, f"/patients/{patient_id}/report/summary.pdf?range=12&notes=y&carer=y", 5)
        row["pdf_12_months_appendix"] = timed(
            client, f"/patients/{patient_id}/report/summary.pdf?range=12&notes=y&carer=y&appendix=y", 3)
        if dataset == "10y":
            since = today.replace(year=today.year - 10)
            row["pdf_10_years"] = timed(client, f"/patients/{patient_id}/report/summary.pdf?range=custom&since={since}"
                                                f"&until={today}&notes=y&carer=y", 3)
        row["trends_single_user_ms"] = single_user_ms(client, f"/patients/{patient_id}/trends", 20)
        row["memory_mb"] = max(worker_memory(app))
        if dataset == "10y":  # flat across repeats: three more fresh 10-year PDFs on each worker
            timed(client, f"/patients/{patient_id}/report/summary.pdf?range=all&notes=y&carer=y", 3 * WORKERS)
            row["memory_after_repeats_mb"] = max(worker_memory(app))
        for kind in ("quick_log", "sync_50"):
            row["figures"][kind] = measure(APP_PORT, client, kind, patient_id, users, seconds)
        return row
    finally:
        stop(app)
        stop(floor)


def single_user_ms(client, path, times):
    client.request("GET", path)
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        client.request("GET", path)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000


def ensure_postgres_database(url=POSTGRES):
    from sqlalchemy import create_engine, text

    server_url, name = url.rsplit("/", 1)
    engine = create_engine(server_url + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def write_results(rows, args, started):
    lines = [
        "# Benchmark results",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC by `.venv/bin/python bench/run.py --seconds {args.seconds} "
        f"--users {args.users}`, on {platform.node()}: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.platform()}.",
        "",
        f"gunicorn with {WORKERS} sync workers (gunicorn.conf.py); load from a second process on 127.0.0.1: "
        f"{args.users} closed-loop users for {args.seconds} s per line, no pause between requests. The floor is a "
        "minimal Flask route (bench/floor.py) served the same way in the same run; ratio = page / floor. "
        "F is the realistic floor of a diary page (bench/floor.py), served by the app's own workers; "
        "ratio to F = page / F. Pages under load are asked for again and again, so the history and trends "
        "come from the kept content (caregiver/pages.py); their cold cost is in the instruction counts. "
        "PDFs are one user's time (median), each made afresh, beside a one-page WeasyPrint document with the same fonts.",
        "",
        "## Pages and writes under load (milliseconds)",
        "",
        "| database | data | entries | request | median | p95 | req/s | median ÷ floor | median ÷ F | p95 ÷ F | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    labels = {"floor": "minimal route (floor)", "F": "F: base page, signed in, membership", "home": "patient home",
              "history": "history, newest 50", "trends": "trends, default range", "trends_12": "trends, 12 months",
              "quick_log": "quick-log POST", "sync_50": "sync, batch of 50"}
    for row in rows:
        floor, f = row["figures"]["floor"], row["figures"]["F"]
        for kind, figure in row["figures"].items():
            lines.append(
                f"| {row['database']} | {DATASET_NAMES[row['dataset']]} | {row['entries']:,} | {labels[kind]} | "
                f"{figure['median']:.1f} | {figure['p95']:.1f} | {figure['throughput']:.0f} | "
                f"{figure['median'] / floor['median']:.1f} | {figure['median'] / f['median']:.2f} | "
                f"{figure['p95'] / f['p95']:.2f} | {figure['errors']} |")
    lines += ["", "## PDF visit summary, trends page for one user, memory", "",
              "| database | data | one-page floor (s) | 12 months (s) | 12 months + appendix (s) | 10 years (s) | "
              "trends, one user (ms) | largest worker after the PDFs (MB) | after 9 more 10-year PDFs (MB) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        ten = f"{row['pdf_10_years']:.2f}" if "pdf_10_years" in row else "–"
        repeats = f"{row['memory_after_repeats_mb']:.0f}" if "memory_after_repeats_mb" in row else "–"
        lines.append(f"| {row['database']} | {DATASET_NAMES[row['dataset']]} | {row['pdf_floor']:.2f} | "
                     f"{row['pdf_12_months']:.2f} | {row['pdf_12_months_appendix']:.2f} | {ten} | "
                     f"{row['trends_single_user_ms']:.0f} | {row['memory_mb']:.0f} | {repeats} |")
    path = os.path.join(ROOT, "bench", "out", "load.md")
    with open(path, "w") as results:
        results.write("\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "bench", "out", "results.json"), "w") as raw:
        json.dump(rows, raw, indent=1)
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--datasets", default="2y,10y,1000")
    args = parser.parse_args()
    started = datetime.now(timezone.utc)
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    if "postgresql" in args.databases:
        ensure_postgres_database()
    rows = []
    for dataset in args.datasets.split(","):
        for database in args.databases.split(","):
            print(f"{database} {dataset} ...", file=sys.stderr, flush=True)
            rows.append(run_one(database, dataset, args.users, args.seconds))
    write_results(rows, args, started)


if __name__ == "__main__":
    main()
