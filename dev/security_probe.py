"""The reproductions of the security probe of the demo (issue "Anyone can make
themselves an EPCI administrator"), run against a served `make demo`: each
line says what was tried, what a safe portal answers, and what this one
answered. Exit code 1 if one answer is not the safe one.

    .dev/venv/bin/python dev/security_probe.py [--url http://127.0.0.1:5000]

It makes its own people (a user of no organization, an editor and an admin of
Villard-de-Lans, an admin of the CCMV) through the API as the demo's
sysadmin, whose token it asks `ckan user token add` for; it puts back what it
changes (a title, a dataset's visibility) and deletes its harvest sources.
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent
CKAN = REPO / ".dev" / "venv" / "bin" / "ckan"
INI = REPO / ".dev" / "demo.ini"
COMMUNE = "villard-de-lans"
made: list[str] = []
EPCI = "cc-du-massif-du-vercors"


class Portal:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def call(self, action: str, token: str | None, **params: Any) -> requests.Response:
        headers = {"Authorization": token} if token else {}
        return self.http.post(
            f"{self.url}/api/3/action/{action}",
            json=params,
            headers=headers,
            timeout=60,
        )

    def get(self, path: str, token: str | None = None) -> requests.Response:
        headers = {"Authorization": token} if token else {}
        return self.http.get(f"{self.url}{path}", headers=headers, timeout=60)


def sysadmin_token() -> str:
    done = subprocess.run(
        [str(CKAN), "-c", str(INI), "user", "token", "add", "admin", "security-probe"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1].strip()


def person(portal: Portal, admin: str, org: str | None, capacity: str) -> str:
    """A new user (with ``capacity`` in ``org``); their API token. Their name
    is kept in ``made`` for the clean-up."""
    name = f"probe-{capacity}-{secrets.token_hex(3)}"
    made.append(name)
    portal.call(
        "user_create",
        admin,
        name=name,
        email=f"{name}@example.org",
        password=secrets.token_urlsafe(16),
    ).raise_for_status()
    if org:
        portal.call(
            "organization_member_create", admin, id=org, username=name, role=capacity
        ).raise_for_status()
    answer = portal.call("api_token_create", admin, user=name, name="probe")
    answer.raise_for_status()
    return str(answer.json()["result"]["token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    args = parser.parse_args()
    portal = Portal(args.url)
    admin = sysadmin_token()
    other = person(portal, admin, None, "member")
    editor = person(portal, admin, COMMUNE, "editor")
    commune_admin = person(portal, admin, COMMUNE, "admin")
    epci_admin = person(portal, admin, EPCI, "admin")
    results: list[tuple[str, str, str, bool]] = []

    def check(
        what: str, expected: str, response: requests.Response, ok: Callable[[int], bool]
    ) -> None:
        results.append(
            (what, expected, str(response.status_code), ok(response.status_code))
        )

    refused = lambda code: code == 403  # noqa: E731
    clear_4xx = lambda code: 400 <= code < 500  # noqa: E731
    success = lambda code: code == 200  # noqa: E731

    check(
        "a user of no organization creates an organization typed epci",
        "403",
        portal.call(
            "organization_create",
            other,
            name=f"fausse-ccmv-{secrets.token_hex(3)}",
            collectivite_type="epci",
            siren="200030658",
        ),
        refused,
    )
    check(
        "a commune admin types their commune epci",
        "409 naming the field",
        portal.call(
            "organization_patch", commune_admin, id=COMMUNE, collectivite_type="epci"
        ),
        lambda code: code == 409,
    )
    check(
        "a commune admin creates a harvest source for their commune",
        "403",
        portal.call(
            "harvest_source_create",
            commune_admin,
            name=f"probe-{secrets.token_hex(3)}",
            url="https://www.data.gouv.fr/fr/datasets/5cd57bf68b4c4179299eb0e9/",
            source_type="decp",
            owner_org=COMMUNE,
        ),
        refused,
    )
    check(
        "a user of no organization reads the EPCI's dashboard",
        "403",
        portal.call("territoire_dashboard_show", other, id=EPCI),
        refused,
    )
    check(
        "a user of no organization reads the EPCI's usage",
        "403",
        portal.call("territoire_usage_month", other, id=EPCI),
        refused,
    )
    for url in (
        "http://127.0.0.1:5000/api/3/action/user_list",
        "http://169.254.169.254/",
    ):
        check(
            f"the EPCI admin declares a harvest source at {url}",
            "409 on url",
            portal.call(
                "harvest_source_create",
                epci_admin,
                name=f"probe-{secrets.token_hex(3)}",
                url=url,
                source_type="decp",
                owner_org=EPCI,
            ),
            lambda code: code == 409,
        )
    check(
        "anyone reindexes a harvest source",
        "403 (or 404)",
        portal.call("harvest_source_reindex", None, id="nothing"),
        clear_4xx,
    )
    check(
        "a signed-in user lists the harvest log",
        "403",
        portal.call("harvest_log_list", other),
        refused,
    )
    check(
        "usage of month 9999-12",
        "409",
        portal.call("territoire_usage_month", epci_admin, id=EPCI, month="9999-12"),
        clear_4xx,
    )
    check(
        "usage.csv of month 9999-12",
        "4xx",
        portal.get(f"/organization/{EPCI}/usage.csv?month=9999-12", epci_admin),
        clear_4xx,
    )
    check(
        "checklist history with limit 10**20",
        "409",
        portal.call("territoire_checklist_history", editor, id=COMMUNE, limit=10**20),
        clear_4xx,
    )
    check(
        "bulk_update_public with datasets: 5",
        "409",
        portal.call("bulk_update_public", commune_admin, org_id=COMMUNE, datasets=5),
        clear_4xx,
    )
    check(
        "a reuse declared while smtp.mail_from is empty",
        "200",
        portal.call(
            "territoire_reuse_create",
            other,
            title="Sonde",
            url="https://reuse.example/sonde",
            type="application",
            datasets=[
                portal.call("package_search", None, rows=1).json()["result"]["results"][
                    0
                ]["name"]
            ],
        ),
        success,
    )
    check(
        "a parameter holding a NUL character",
        "400",
        portal.call("package_show", None, id="\u0000"),
        lambda code: code == 400,
    )

    # A title that would be a spreadsheet formula, in the EPCI's dashboard.csv.
    before = portal.call("organization_show", admin, id=COMMUNE).json()["result"][
        "title"
    ]
    evil = '=HYPERLINK("http://evil.example/","Villard")'
    portal.call("organization_patch", admin, id=COMMUNE, title=evil).raise_for_status()
    try:
        csv = portal.get(f"/organization/{EPCI}/dashboard.csv", epci_admin).text
    finally:
        portal.call("organization_patch", admin, id=COMMUNE, title=before)
    results.append(
        (
            "a title starting with = in the EPCI's dashboard.csv",
            "written after a '",
            "neutralised" if ("'" + evil.replace('"', '""')) in csv else "as is",
            ("'" + evil.replace('"', '""')) in csv,
        )
    )

    # A procurement dataset made private leaves the public figures.
    found = portal.call(
        "package_search", admin, fq=f"organization:{COMMUNE} +tags:decp", rows=1
    ).json()["result"]["results"]
    if found:
        dataset = found[0]["name"]
        total = portal.call("territoire_procurement_stats", None).json()["result"]
        portal.call("package_patch", admin, id=dataset, private=True).raise_for_status()
        try:
            hidden = portal.call("territoire_procurement_stats", None).json()["result"]
            shown = portal.get(f"/dataset/{dataset}")
        finally:
            portal.call("package_patch", admin, id=dataset, private=False)
        results.append(
            (
                "a procurement dataset made private, in the public figures",
                "left out",
                f"{total['total']['contracts']} -> "
                f"{hidden['total']['contracts']} contracts",
                hidden["total"]["contracts"] < total["total"]["contracts"],
            )
        )
        results.append(
            (
                "that private dataset's page, anonymously",
                "404",
                str(shown.status_code),
                shown.status_code == 404,
            )
        )

    # A resource link to the portal itself: the validation job refuses it.
    created = portal.call(
        "package_create",
        editor,
        name=f"sonde-{secrets.token_hex(3)}",
        title="Sonde",
        owner_org=COMMUNE,
        private=True,
        license_id="lov2",
        personal_data="none",
        schema_name="scdl/deliberations",
        resources=[{"url": f"{portal.url}/api/3/action/user_list", "format": "CSV"}],
    )
    if created.status_code == 200:
        dataset = created.json()["result"]
        resource = dataset["resources"][0]["id"]
        validation: dict[str, Any] = {}
        for _ in range(60):
            time.sleep(1)
            validation = portal.call(
                "territoire_validation_show", editor, id=resource
            ).json()["result"]
            if validation.get("status") not in ("pending", None):
                break
        portal.call("dataset_purge", admin, id=dataset["id"])
        results.append(
            (
                "a resource link to the portal itself, validated by the jobs worker",
                "refused (internal address)",
                str(validation.get("reason")),
                validation.get("reason") == "refused",
            )
        )
    else:
        results.append(
            (
                "a resource link to the portal itself",
                "created",
                created.text[:80],
                False,
            )
        )

    for name in made:
        portal.call("user_delete", admin, id=name)

    width = max(len(r[0]) for r in results)
    for what, expected, got, ok in results:
        print(
            f"{'ok ' if ok else 'BAD'} {what:<{width}}  expected {expected}, got {got}"
        )
    bad = [r for r in results if not r[3]]
    print(f"{len(results) - len(bad)} of {len(results)} answered as a safe portal does")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
