"""The harvest source form's presets: the national DECP sources on
data.gouv.fr, each as the link that opens the form filled (type, URL, title,
configuration with the territory's buyers, the EPCI as owner).

CKAN's form reads its first values from the query string
(``/harvest/new?url=...&config=...``), so a preset is a plain link: it
works without JavaScript and the administrator still reviews every field
before saving."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.i18n_markers import N_

DATAGOUV_DATASETS = "https://www.data.gouv.fr/fr/datasets/"


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    help: str
    dataset: str  # data.gouv.fr dataset id
    name: str
    title: str
    config: dict[str, Any]


PRESETS = (
    Preset(
        key="decp-tabular",
        label=N_("National tabular consolidation (recommended)"),
        help=N_(
            "The data behind decp.info: about 60 sources, with the names, "
            "communes and sizes of the titulaires; read by byte ranges, only "
            "the territory's part is downloaded."
        ),
        dataset="608c055b35eb4e6ee20eb325",
        name="decp-consolidation-tabulaire",
        title=N_("Public procurement of the territory (national consolidation)"),
        config={"formats": ["parquet"]},
    ),
    Preset(
        key="decp-json",
        label=N_("Consolidated JSON files of the ministry of the economy"),
        help=N_("One file per year, in the official DECP format."),
        dataset="5cd57bf68b4c4179299eb0e9",
        name="decp-fichiers-json",
        title=N_("Public procurement of the territory (ministry's JSON files)"),
        config={"formats": ["json"]},
    ),
)


def territory_owner() -> dict[str, Any] | None:
    """The EPCI's organization, owner of the territory-wide harvest
    sources; None when the territory is not set up yet."""
    try:
        territory = tk.get_action("territoire_territory_show")({}, {})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    return territory.get("epci") or None


@registry.helper
def territoire_harvest_presets() -> list[dict[str, Any]]:
    """Each preset with its label, help and the link that opens the form
    filled; the buyers are the SIRENs of the territory's organizations
    (what the harvester takes by default, written out to be seen)."""
    from ckanext.opendata_territoire.territory.buyers import territory_buyers

    owner = territory_owner()
    buyers = sorted(territory_buyers())
    found = []
    for preset in PRESETS:
        config = dict(preset.config)
        if buyers:
            config["buyers"] = buyers
        params = {
            "source_type": "decp",
            "url": DATAGOUV_DATASETS + preset.dataset + "/",
            "title": tk._(preset.title),
            "name": preset.name,
            "frequency": "WEEKLY",
            "config": json.dumps(config, ensure_ascii=False),
        }
        if owner:
            params["owner_org"] = owner["id"]
        found.append(
            {
                "key": preset.key,
                "label": tk._(preset.label),
                "help": tk._(preset.help),
                "href": tk.h.url_for("harvest.new") + "?" + urlencode(params),
            }
        )
    return found


@registry.helper
def territoire_harvest_default_owner() -> str | None:
    """The organization the form preselects for a new source: the EPCI's."""
    owner = territory_owner()
    return owner["id"] if owner else None
