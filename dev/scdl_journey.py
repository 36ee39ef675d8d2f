"""The browser journey of "Mettre au format national" on the demo portal,
with screenshots for the README (docs/screenshots/scdl-*.png).

    bash dev/demo.sh &                      # the demo, served on DEMO_PORT
    .dev/venv/bin/python dev/scdl_journey.py [--url http://127.0.0.1:5000]
        [--out docs/screenshots]

A commune's secretary (the demo user secretaire-engins, editor of Engins,
made here with the demo's CLI and the sysadmin's API token) opens her
deliberations dataset, sends the ODS file the town hall keeps
(tests/scdl_convert/fixtures/deliberations-2025-11.ods: French headers of
its own), accepts the proposals, maps the one column left ("Budget
concerné") herself, converts and publishes; then sends next month's file,
which is converted in one step with the remembered mapping, and publishes
it; finally sends a spreadsheet of --large rows (50,000), converted by the
background job while the page shows its progress. Fails if a step does not
show what it should.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = REPO / "tests" / "scdl_convert" / "fixtures"
CKAN = REPO / ".dev" / "venv" / "bin" / "ckan"
INI = REPO / ".dev" / "demo.ini"
USER = "secretaire-engins"
DATASET = "deliberations-engins"
# Engins' SIREN with a head-office NIC (the demo's organizations have no
# SIRET: the territory's reference data gives SIRENs).
SIRET = "21380153300018"


def say(message: str) -> None:
    print(f"[scdl-journey] {message}", file=sys.stderr, flush=True)


def api(url: str, token: str, action: str, **data: object) -> dict:
    request = urllib.request.Request(
        f"{url}/api/3/action/{action}",
        data=json.dumps(data).encode(),
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["result"]


def prepare(url: str) -> str:
    """The secretary (editor of Engins), Engins' SIRET, her dataset; her
    password."""
    token = (
        subprocess.run(
            [
                str(CKAN),
                "-c",
                str(INI),
                "user",
                "token",
                "add",
                "admin",
                "scdl-journey",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .strip()
    )
    password = secrets.token_urlsafe(12)
    users = api(url, token, "user_list", q=USER)
    if users:
        api(url, token, "user_patch", id=USER, password=password)
    else:
        api(
            url,
            token,
            "user_create",
            name=USER,
            email="secretariat@engins.invalid",
            password=password,
            fullname="Secrétariat de mairie d'Engins",
        )
    api(
        url,
        token,
        "organization_member_create",
        id="engins",
        username=USER,
        role="editor",
    )
    api(url, token, "organization_patch", id="engins", siret=SIRET)
    with contextlib.suppress(urllib.error.HTTPError):
        api(url, token, "dataset_purge", id=DATASET)
    api(
        url,
        token,
        "package_create",
        name=DATASET,
        title="Délibérations du conseil municipal d'Engins",
        owner_org="engins",
        notes="Les délibérations du conseil municipal d'Engins, mises à jour "
        "chaque mois.",
        license_id="lov2",
        personal_data="none",
        schema_name="scdl/deliberations",
        frequency="monthly",
    )
    return password


def write_large(path: Path, rows: int) -> None:
    """The November file's rows repeated ``rows`` times over, each with its
    own number."""
    import openpyxl

    from ckanext.opendata_territoire.scdl_convert import read

    found = read.rows(str(FIXTURES / "deliberations-2025-11.ods"), "ods")
    header = next(found)
    model = list(found)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Feuille1")
    sheet.append(header)
    for i in range(rows):
        row = list(model[i % len(model)])
        row[0] = f"D{i:06d}"
        sheet.append(row)
    book.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument(
        "--large",
        type=int,
        default=50_000,
        help="rows of the large XLSX file sent last, converted by the background "
        "job (0: none)",
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    password = prepare(args.url)

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Chromium refuses some ports (5060: SIP) unless told.
            args=[
                "--no-sandbox",
                f"--explicitly-allowed-ports={urllib.parse.urlsplit(args.url).port}",
            ],
        )
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.goto(args.url + "/user/login")
        page.fill("#field-login", USER)
        page.fill("#field-password", password)
        page.click("form:has(#field-login) button[type=submit]")
        page.wait_for_load_state("networkidle")

        def shot(name: str, full: bool = False) -> None:
            target = out / f"scdl-{name}.png"
            page.screenshot(path=str(target), full_page=full)
            say(f"{name} -> {target}")

        page.goto(f"{args.url}/dataset/{DATASET}")
        button = page.get_by_role("link", name="Mettre au format national")
        expect(button).to_be_visible()
        shot("dataset")
        button.click()
        page.set_input_files(
            "#field-upload", str(FIXTURES / "deliberations-2025-11.ods")
        )
        page.get_by_role("button", name="Lire le fichier").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".territoire-scdl-reason")).to_contain_text("12 des 13")
        expect(page.locator("#column-DELIB_DATE")).to_have_value("Date de la séance")
        # The one column the proposals leave: she maps it herself.
        expect(page.locator("#column-BUDGET_NOM")).to_have_value("")
        page.select_option("#column-BUDGET_NOM", "Budget concerné")
        page.locator("#field-row-BUDGET_NOM").scroll_into_view_if_needed()
        shot("mapping", full=True)
        page.get_by_role("button", name="Convertir", exact=True).click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".territoire-scdl-summary .alert-success")).to_be_visible()
        shot("result", full=True)
        page.get_by_role("button", name="Publier").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".flash-messages .alert-success")).to_contain_text(
            "format national est publié"
        )

        # Next month: one step.
        page.get_by_role("link", name="Mettre au format national").click()
        page.set_input_files(
            "#field-upload", str(FIXTURES / "deliberations-2025-12.ods")
        )
        page.get_by_role("button", name="Lire le fichier").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".territoire-scdl-summary .alert-success")).to_be_visible()
        expect(
            page.get_by_text("correspondance reprise du dernier fichier")
        ).to_be_visible()
        expect(page.locator(".territoire-scdl-preview")).to_contain_text("2025-12-03")
        shot("next-month", full=True)
        page.get_by_role("button", name="Publier").click()
        page.wait_for_load_state("networkidle")
        resources = page.locator(".resource-item")
        expect(resources).to_have_count(1)

        if args.large:
            # Years of deliberations in one spreadsheet: the background job,
            # its progress on the page.
            with tempfile.TemporaryDirectory() as folder:
                large = Path(folder) / "deliberations-2000-2025.xlsx"
                write_large(large, args.large)
                page.get_by_role("link", name="Mettre au format national").click()
                page.set_input_files("#field-upload", str(large))
                page.get_by_role("button", name="Lire le fichier").click()
                page.wait_for_load_state("networkidle")
                expect(page.locator(".territoire-scdl-progress")).to_be_visible()
                # Some rows converted, not all: the page shows how far it is.
                page.wait_for_function(
                    "/[1-9][0-9\\u202f]* lignes converties/.test("
                    "document.querySelector('.territoire-scdl-progress')"
                    "?.innerText || '')",
                    timeout=120_000,
                )
                shot("progress")
                page.wait_for_selector(
                    ".territoire-scdl-summary .alert-success", timeout=300_000
                )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
