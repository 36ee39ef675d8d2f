"""Screenshots of the demo portal for the README (French UI).

    bash dev/demo.sh &                      # the demo, served on DEMO_PORT
    .dev/venv/bin/python dev/screenshots.py [--url http://127.0.0.1:5000]
        [--out docs/screenshots] [--pages guide,licences,...]
        [--password-file .dev/demo-admin-password]

Drives Debian's Chromium (the one the browser tests use) through the pages
below, signed in as the demo's sysadmin (password in .dev/demo-admin-password)
for the pages that need an account, and writes one PNG per page, 1280 px
wide, the first screen only (the README shows what a visitor sees first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

# name -> (path, needs an account)
PAGES: dict[str, tuple[str, bool]] = {
    "home": ("/", False),
    "search": ("/dataset/?theme=ECON", False),
    "procurement-dataset": ("/dataset/marches-publics-villard-de-lans", False),
    "licences": ("/licences", False),
    "guide": ("/organization/villard-de-lans/guide", True),
    "checklist": ("/organization/villard-de-lans/checklist", True),
    "dashboard": ("/organization/cc-du-massif-du-vercors/dashboard", True),
    "usage": ("/organization/cc-du-massif-du-vercors/usage", True),
    "member-communes": ("/organization/cc-du-massif-du-vercors/territory", True),
    "observatory": ("/observatory", False),
    "future": ("/marches-a-venir?cpv=45", False),
    "forecast": ("/organization/cc-du-massif-du-vercors/achats-prevus", True),
    "api-guide": ("/guide-api", False),
    "deliberations": ("/dataset/deliberations-villard-de-lans", False),
    "harvest-source-form": ("/harvest/new", True),
    "about": ("/about", False),
}


def say(message: str) -> None:
    print(f"[screenshots] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--user", default="admin")
    parser.add_argument(
        "--password-file",
        default=str(REPO / ".dev" / "demo-admin-password"),
        help="the demo sysadmin's password (written by dev/demo.sh)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    password_file = Path(args.password_file)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wanted = [name for name in args.pages.split(",") if name]
    unknown = set(wanted) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    failed = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 860}
        )
        page = context.new_page()
        signed_in = False
        for name in wanted:
            path, needs_account = PAGES[name]
            if needs_account and not signed_in:
                page.goto(args.url + "/user/login")
                page.fill("#field-login", args.user)
                page.fill("#field-password", password_file.read_text().strip())
                page.click("form:has(#field-login) button[type=submit]")
                page.wait_for_load_state("networkidle")
                signed_in = True
            response = page.goto(args.url + path)
            page.wait_for_load_state("networkidle")
            status = response.status if response else 0
            if status != 200:
                say(f"{name}: {path} answered HTTP {status}, no screenshot")
                failed.append(name)
                continue
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            say(f"{name}: {path} -> {target}")
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
