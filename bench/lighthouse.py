"""Lighthouse (mobile preset) on the home, log and trends pages of the demo family, under gunicorn.

usage: .venv/bin/python bench/lighthouse.py     (needs `npm i` in bench/ once; Debian's Chromium)
Writes bench/out/lighthouse-*.json and prints the scores as a Markdown table.
"""
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import ROOT, prepare, start, stop  # noqa: E402

PORT = 8741
LIGHTHOUSE = os.path.join(ROOT, "bench", "node_modules", ".bin", "lighthouse")
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")


def session_cookie(base, email, password):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/account/signin").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    opener.open(base + "/account/signin", data=data)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def main():
    env, email, password, patient_id, _entries = prepare()
    server = start(env, PORT)
    base = f"http://127.0.0.1:{PORT}"
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    rows = []
    try:
        cookie = session_cookie(base, email, password)
        for name, path in (("home", f"/patients/{patient_id}/"), ("log", f"/patients/{patient_id}/log"),
                           ("trends", f"/patients/{patient_id}/trends")):
            out = os.path.join(ROOT, "bench", "out", f"lighthouse-{name}.json")
            subprocess.run([LIGHTHOUSE, base + path, "--quiet", "--output=json", f"--output-path={out}",
                            "--only-categories=performance,accessibility,best-practices",
                            f"--chrome-flags={CHROME_FLAGS}", f"--extra-headers={json.dumps({'Cookie': cookie})}"],
                           check=True, env=dict(os.environ, CHROME_PATH="/usr/bin/chromium"))
            with open(out) as report:
                categories = json.load(report)["categories"]
            rows.append((name, *(round(categories[key]["score"] * 100)
                                  for key in ("performance", "accessibility", "best-practices"))))
    finally:
        stop(server)
    print("| page | performance | accessibility | best practices |\n| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
