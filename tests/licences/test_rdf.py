"""Licences and the reuse mention in DCAT-AP (metadata/dcat_profile.py): the
licence's URI from the register with titles data.gouv.fr recognises, the
mention as the rights statement of the dataset and its distributions, and
both read back."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest
import rdflib
from ckanext.dcat.processors import RDFParser
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, RDFS

from ckanext.opendata_territoire.licences import register
from tests.licences.conftest import FIXTURES, accepted, dataset

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
PROFILES = "euro_dcat_ap_3 territoire_fr"

pytestmark = [
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", PROFILES),
    pytest.mark.usefixtures("clean_db", "clean_index"),
]

DATAGOUV_LICENCES = json.loads(
    (FIXTURES / "datagouv_licences.json").read_text(encoding="utf-8")
)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")


def bare(url: str) -> str:
    return re.sub(r"^https?://", "", url.strip().lower()).rstrip("/")


def datagouv_guess(graph: rdflib.Graph, licence: rdflib.term.Node) -> str | None:
    """data.gouv.fr's DCAT harvester's first steps (udata License.guess_one):
    it reads the licence's rdfs:label if there is one, else its URI, and
    looks for a licence with that id, title (as a slug) or URL (scheme and
    trailing slash aside)."""
    label = graph.value(licence, RDFS.label)
    text = str(label) if label is not None else str(licence)
    for known in DATAGOUV_LICENCES:
        urls = [known["url"], *known["alternate_urls"]]
        if (
            text.lower() == known["id"]
            or slug(text) == slug(known["title"])
            or bare(text) in {bare(url) for url in urls if url}
        ):
            return known["id"]
    return None


def graph_of(app, name: str) -> rdflib.Graph:
    response = app.get(f"/dataset/{name}.ttl")
    assert response.status_code == 200, response.body
    return rdflib.Graph().parse(data=response.body, format="turtle")


def dataset_ref(graph: rdflib.Graph) -> rdflib.term.Node:
    (ref,) = graph.subjects(RDF.type, DCAT.Dataset)
    return ref


def create(app, headers, commune, **fields: Any) -> dict[str, Any]:
    return accepted(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            data_updated="2026-03-12",
            resources=[{"url": "https://www.villard-de-lans.fr/plu.zip"}],
            **fields,
        ),
    )


@pytest.mark.parametrize(
    ("licence", "fields"),
    [
        ("lov2", {}),
        ("odc-odbl", {}),
        ("cc-by", {"third_party_rights": "true"}),
        ("cc-by-sa", {"third_party_rights": "true"}),
        ("cc-zero", {"third_party_rights": "true"}),
        ("odc-by", {"third_party_rights": "true"}),
        ("odc-pddl", {"third_party_rights": "true"}),
        ("fr-lo", {"third_party_rights": "true"}),
    ],
)
def test_the_licence_carries_its_uri_and_data_gouv_fr_recognises_it(
    app, headers, commune, licence, fields
):
    create(app, headers, commune, license_id=licence, **fields)

    graph = graph_of(app, "plan-local-urbanisme")
    ref = dataset_ref(graph)
    (uri,) = graph.objects(ref, DCT.license)
    assert uri == URIRef(register.licence(licence).uri)
    (distribution,) = graph.objects(ref, DCAT.distribution)
    assert list(graph.objects(distribution, DCT.license)) == [uri]
    assert datagouv_guess(graph, uri) == licence


def test_the_licence_is_titled_in_french_and_english(app, headers, commune):
    create(app, headers, commune)

    graph = graph_of(app, "plan-local-urbanisme")
    uri = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    assert (uri, RDF.type, DCT.LicenseDocument) in graph
    assert set(graph.objects(uri, DCT.title)) == {
        Literal("Licence Ouverte / Open Licence version 2.0", lang="fr"),
        Literal("Open Licence / Licence Ouverte version 2.0", lang="en"),
    }


def test_a_generic_licence_has_no_uri(app, headers, commune):
    create(
        app,
        headers,
        commune,
        license_id="other-at",
        private=False,
        third_party_rights="true",
    )

    graph = graph_of(app, "plan-local-urbanisme")
    assert list(graph.objects(dataset_ref(graph), DCT.license)) == []


def test_the_mention_is_the_rights_statement_of_the_dataset_and_its_files(
    app, headers, commune
):
    create(app, headers, commune)

    graph = graph_of(app, "plan-local-urbanisme")
    ref = dataset_ref(graph)
    (rights,) = graph.objects(ref, DCT.rights)
    assert (rights, RDF.type, DCT.RightsStatement) in graph
    assert set(graph.objects(rights, RDFS.label)) == {
        Literal(
            "Source : Commune de Villard-de-Lans, mise à jour le 12 mars 2026, "
            "Licence Ouverte 2.0",
            lang="fr",
        ),
        Literal(
            "Source: Commune de Villard-de-Lans, updated on 12 March 2026, "
            "Open Licence 2.0",
            lang="en",
        ),
    }
    (distribution,) = graph.objects(ref, DCAT.distribution)
    assert list(graph.objects(distribution, DCT.rights)) == [rights]


def test_licence_and_mention_are_read_back(app, headers, commune):
    create(app, headers, commune, license_id="odc-odbl")
    turtle = app.get("/dataset/plan-local-urbanisme.ttl").body

    parser = RDFParser(profiles=PROFILES.split())
    parser.parse(turtle, _format="turtle")
    (parsed,) = parser.datasets()

    assert parsed["license_id"] == "odc-odbl"
    assert "rights" not in parsed["resources"][0]
    assert "rights" not in {extra["key"] for extra in parsed.get("extras", [])}


@pytest.mark.parametrize(
    "uri",
    [
        "http://opendatacommons.org/licenses/odbl/summary/",
        "https://opendefinition.org/licenses/odc-odbl/",
        "HTTP://OPENDATACOMMONS.ORG/licenses/odbl/1-0",
    ],
)
def test_the_other_uris_of_a_licence_are_read_as_its_id(uri):
    assert register.by_uri(uri).id == "odc-odbl"


@pytest.mark.parametrize(
    "entry",
    [e for e in register.licences() if e.uri],
    ids=lambda e: e.id,
)
def test_data_gouv_fr_recognises_each_licence_by_its_uri_alone(entry):
    """data.gouv.fr's licence list (its /api/1/datasets/licenses/) gives
    this URI for the same id: without the label (a harvester reading URIs
    only, a label changed on either side) the licence is still found."""
    (known,) = [k for k in DATAGOUV_LICENCES if k["id"] == entry.id]

    assert bare(entry.uri) in {
        bare(url) for url in (known["url"], *known["alternate_urls"]) if url
    }
