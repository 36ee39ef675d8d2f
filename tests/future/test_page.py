"""The page "Marchés à venir", its feed, calendar and CSV file, and the page
of a past contract, as an anonymous visitor gets them (in French), on the
contracts of test_future_contracts.py imported once, seen on 2025-01-01:
renewals 2023-0002 (T3 2025, CPV 71), 2024-0001 (T1 2026, CPV 45, one
offer), 2022-0003 (T2 2026, framework agreement, CPV 72), DSP-2020 (T3
2026, concession, CPV 90); 2024-0005 and 2024-0006 without an end."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import ckan.plugins.toolkit as tk
import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup
from ckan.cli.cli import ckan as ckan_command

from tests.conftest import cli_runner, shared_request_context
from tests.future.test_future_contracts import TODAY, concession, records
from tests.observatory import fake_sirene

DAY = dt.date(2025, 1, 1)
FIXED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def imported_once(module_territory, tmp_path_factory):
    """The contracts imported once for the module (its tests only read)."""
    fake, server = fake_sirene.start()
    path = tmp_path_factory.mktemp("future") / "decp.json"
    path.write_text(
        json.dumps(
            {"marches": {"marche": records(), "contrat-concession": [concession()]}},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    try:
        with pytest.MonkeyPatch.context() as patch, shared_request_context():
            patch.setitem(tk.config, "ckanext.territoire.sirene_url", fake.url)
            patch.setitem(tk.config, "ckanext.territoire.sirene_rate", 1000)
            result = cli_runner(patch).invoke(
                ckan_command, ["territoire", "decp", "import", str(path)]
            )
            assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
        server.server_close()
    return module_territory


pytestmark = pytest.mark.usefixtures("imported_once")


def page(app, url, status=200):
    return BeautifulSoup(app.get(url, status=status).body, "html.parser")


def text(element) -> str:
    """Its runs of ordinary white space made one space (the non-breaking
    spaces of the French numbers stay)."""
    return re.sub(r"[ \t\r\n]+", " ", element.get_text(" ", strip=True))


def target(href: str) -> tuple[str, list[tuple[str, str]]]:
    """A link's path and its parameters, in any order."""
    parts = urlsplit(href)
    return parts.path, sorted(parse_qsl(parts.query))


def objects(soup) -> list[str]:
    return [text(e) for e in soup.select(".territoire-future-entry h3")]


def test_the_page_lists_the_renewals_by_quarter_with_the_past_contract(app):
    soup = page(app, f"/marches-a-venir?today={TODAY}")

    assert text(soup.select_one("h1")) == "Marchés à venir"
    quarters = [text(h) for h in soup.select(".territoire-future-quarter h2")]
    assert quarters[:3] == ["T1 2025 0 marché", "T2 2025 0 marché", "T3 2025 1 marché"]
    assert len(quarters) == 9  # 2025-Q1 to 2027-Q1
    assert objects(soup) == [
        "Objet 2",
        "Objet 1",
        "Objet 3",
        "Délégation du service de l'eau",
    ]
    first = soup.select(".territoire-future-renewal")[1]
    said = text(first)
    assert "estimé" in said
    assert "1 seule offre la dernière fois" in text(
        first.select_one(".territoire-future-single")
    )
    assert "Fin estimée : 1 mars 2026" in said
    assert "100\u202f000\u00a0€" in said and "Terrassements du Vercors" in said
    link = first.select_one("h3 a")["href"]
    assert link.startswith("/marches-a-venir/contrat/") and link.endswith("2024-0001")
    assert soup.select_one(".territoire-future-renewal .territoire-future-single")
    unknown = soup.select_one("details.territoire-future-unknown")
    assert "2 marchés dont la fin ne peut pas être calculée" in text(unknown)
    assert "aucune durée publiée : 1" in text(unknown)


def test_the_filters_are_get_parameters_and_travaux_a_shortcut(app):
    soup = page(app, f"/marches-a-venir?today={TODAY}")
    works = next(
        a for a in soup.select(".territoire-future-trades a") if text(a) == "Travaux"
    )
    assert target(works["href"]) == (
        "/marches-a-venir",
        [("cpv", "45"), ("today", TODAY)],
    )

    soup = page(app, works["href"])
    assert objects(soup) == ["Objet 1"]
    current = soup.select_one(".territoire-future-trades a[aria-current]")
    assert text(current) == "Travaux"
    assert soup.select_one("#cpv-45")["checked"] is not None
    feed = soup.select_one(
        ".territoire-future-subscribe a[type='application/atom+xml']"
    )
    assert feed["href"] == "/marches-a-venir/flux.atom?cpv=45"

    several = page(app, f"/marches-a-venir?today={TODAY}&cpv=90&cpv=71")
    assert objects(several) == ["Objet 2", "Délégation du service de l'eau"]
    buyer = page(app, f"/marches-a-venir?today={TODAY}&buyer=villard-de-lans")
    assert objects(buyer) == ["Objet 3"]
    bands = page(app, f"/marches-a-venir?today={TODAY}&amount_band=large,very_large")
    assert objects(bands) == ["Objet 3", "Délégation du service de l'eau"]


def test_no_result_suggests_removing_a_filter(app):
    soup = page(app, f"/marches-a-venir?today={TODAY}&cpv=45&amount_band=small")

    empty = soup.select_one(".territoire-future-empty")
    assert "Aucun marché attendu pour ces filtres" in text(empty)
    links = [target(a["href"]) for a in empty.select("a")]
    assert ("/marches-a-venir", [("amount_band", "small"), ("today", TODAY)]) in links
    assert ("/marches-a-venir", [("cpv", "45"), ("today", TODAY)]) in links


def test_a_bad_filter_is_explained_and_ignored(app):
    soup = page(app, f"/marches-a-venir?today={TODAY}&months=99")

    assert "months" in text(soup.select_one(".alert-danger"))
    assert app.get("/marches-a-venir/flux.atom?months=99").status_code == 400


def test_the_past_contract_page(app):
    soup = page(app, f"/marches-a-venir?today={TODAY}&cpv=45")
    url = soup.select_one(".territoire-future-renewal h3 a")["href"]

    contract = page(app, url)
    assert text(contract.select_one("h1")) == "Objet 1"
    fields = text(contract.select_one(".territoire-future-contract-fields"))
    assert "Engins" in fields and "Terrassements du Vercors" in fields
    assert "100\u202f000\u00a0€" in fields and "24 mois" in fields
    assert "45 — Travaux de construction" in fields
    assert "1 seule offre la dernière fois" in text(
        contract.select_one(".territoire-future-single-alert")
    )
    dataset = contract.select_one(".territoire-future-contract a.btn-primary")["href"]
    assert app.get(dataset).status_code == 200
    assert "Marchés publics" in text(page(app, dataset).select_one("h1"))
    page(app, "/marches-a-venir/contrat/21380153000000-nowhere", status=404)


def test_the_atom_feed_follows_the_filters(app):
    response = app.get(f"/marches-a-venir/flux.atom?today={TODAY}")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body)

    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Marchés à venir"
    assert [e.title for e in feed.entries] == [
        "T3 2025 — Objet 2 (Engins)",
        "T1 2026 — Objet 1 (Engins)",
        "T2 2026 — Objet 3 (Villard-de-Lans)",
        "T3 2026 — Délégation du service de l'eau (CC du Massif du Vercors)",
    ]
    second = feed.entries[1]
    assert re.fullmatch(
        r"tag:[^,]+,2026:marches-a-venir:renouvellement:\d{14}2024-0001", second.id
    )
    assert re.search(r"/marches-a-venir/contrat/\d{14}2024-0001$", second.link)
    assert "1 seule offre la dernière fois" in second.summary
    assert "Fin estimée" in second.summary
    # The same ids from one download to the next.
    again = feedparser.parse(app.get(f"/marches-a-venir/flux.atom?today={TODAY}").body)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]

    works = feedparser.parse(
        app.get(f"/marches-a-venir/flux.atom?today={TODAY}&cpv=45").body
    )
    assert [e.id for e in works.entries] == [second.id]
    assert works.feed.title == "Marchés à venir — Travaux de construction"


def test_the_calendar_has_an_all_day_event_per_expected_end(app):
    response = app.get(f"/marches-a-venir/calendrier.ics?today={TODAY}&buyer=engins")
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body)

    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [
        "Fin estimée : Objet 2 (Engins)",
        "Fin estimée : Objet 1 (Engins)",
    ]
    first = events[1]
    assert first.decoded("dtstart").isoformat() == "2026-03-01"
    assert first.decoded("dtend").isoformat() == "2026-03-02"
    assert re.fullmatch(r"renouvellement:\d{14}2024-0001@.+", str(first["uid"]))
    description = str(first["description"])
    assert "Terrassements du Vercors" in description
    assert "1 seule offre la dernière fois" in description


def test_the_csv_is_for_french_spreadsheets_with_the_same_filters(app):
    response = app.get(f"/marches-a-venir.csv?today={TODAY}&amount_band=small,medium")
    body = response.body
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))

    assert rows[0][:4] == ["source", "trimestre", "date_prevue", "estime"]
    assert [row[5] for row in rows[1:]] == ["Objet 2", "Objet 1"]
    header = rows[0]
    first = dict(zip(header, rows[2], strict=True))
    assert first["montant_precedent"] == "100000"
    assert (first["offre_unique"], first["estime"]) == ("oui", "oui")
    assert first["date_prevue"] == "2026-03-01"
    assert first["tranche_montant"].startswith("de 40")
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_forecast_entry_is_marked_planned_by_the_buyer(app, module_territory):
    """A planned purchase the EPCI's admin entered shows on the page (its
    contact on one line), in the calendar and in the feed, linked to the
    buyer's forecast."""
    year = dt.date.today().year + 1
    admin = module_territory["people"]["sysadmin"]["name"]
    with shared_request_context():
        entry = tk.get_action("territoire_forecast_create")(
            {"user": admin},
            {
                "organization": "ccmv",
                "object": "Déneigement des voiries",
                "cpv_division": "90",
                "amount_band": "medium",
                "quarter": f"{year}-T2",
                "procedure": "Procédure adaptée",
                "contact_name": "Service achats",
                "contact_email": "achats@ccmv.example",
            },
        )
    try:
        query = "?cpv=90&months=24"
        page = BeautifulSoup(app.get("/marches-a-venir" + query).body, "html.parser")
        calendar = icalendar.Calendar.from_ical(
            app.get("/marches-a-venir/calendrier.ics" + query).body
        )
        feed = feedparser.parse(app.get("/marches-a-venir/flux.atom" + query).body)
    finally:
        with shared_request_context():
            tk.get_action("territoire_forecast_delete")(
                {"user": admin}, {"id": entry["id"]}
            )

    card = page.select_one(f"#prevision-{entry['id']}")
    assert card is not None
    assert "prévu par l'acheteur" in text(card)
    assert f"Prévu pour le T2 {year}" in text(card)
    assert "Service achats · achats@ccmv.example" in text(card)
    (event,) = [
        e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("prevision:")
    ]
    assert event.decoded("dtstart").isoformat() == f"{year}-04-01"
    assert "Déneigement des voiries" in str(event["summary"])
    (item,) = [e for e in feed.entries if ":prevision:" in e.id]
    assert item.link.endswith(f"/marches-a-venir?buyer=ccmv#prevision-{entry['id']}")
