"""Screenshots of the demo family's screens at 360x640 in several languages, to look at by eye.

usage: .venv/bin/python bench/screenshots.py [--langs ar,bn,ta] [--pages home,trends] [--out bench/out/screens]
Serves the app on a fresh demo database in a temporary folder, drives Debian's Chromium.
"""
import argparse
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PAGES = {
    "home": "/patients/{id}/", "log": "/patients/{id}/log", "history": "/patients/{id}/history",
    "trends": "/patients/{id}/trends", "explain": "/explain/motor-neurons", "report": "/patients/{id}/report",
    "checkin": "/patients/{id}/new/checkin", "card": "/patients/{id}/emergency-card",
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--langs", default="ar,bn,ta")
    parser.add_argument("--pages", default="home")
    parser.add_argument("--out", default="bench/out/screens")
    parser.add_argument("--full", action="store_true", help="whole page, not just the first screen")
    args = parser.parse_args()
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mnd-screens-")
    os.environ.pop("DATABASE_URL", None)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from caregiver import create_app
    from caregiver.demo import create_demo

    app = create_app()
    with app.app_context():
        result = create_demo()
        patient_id, password = result.patient.id, result.password
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(base + "/account/signin")
        page.fill("#email", "demo@example.org")
        page.fill("#password", password)
        page.click("main input[type=submit], main button[type=submit]")
        page.wait_for_load_state()
        for code in args.langs.split(","):
            for name in args.pages.split(","):
                page.goto(base + PAGES[name].format(id=patient_id) + f"?lang={code}")
                page.evaluate("document.fonts.ready")
                path = os.path.join(args.out, f"{name}-{code}.png")
                page.screenshot(path=path, full_page=args.full)
                print(path)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
