"""DCAT-AP: ckanext-dcat's euro_dcat_ap_3 profile followed by ours
(metadata/dcat_profile.py) publish every field of the dataset schema in RDF,
conform to the DCAT-AP 3 SHACL shapes, and parse back into the same dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import rdflib
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFParser
from pyshacl import validate
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

PROFILES = "euro_dcat_ap_3 territoire_fr"
# The official DCAT-AP 3.0.0 SHACL shapes of SEMIC, shipped next to this file.
SHAPES_FILE = Path(__file__).with_name("dcat-ap_3_shacl_shapes.ttl")

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority"
# The ODbL's URI as data.gouv.fr's licence list gives it.
ODBL = URIRef("http://opendatacommons.org/licenses/odbl/summary/")
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")

pytestmark = [
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", PROFILES),
    pytest.mark.usefixtures("clean_db", "clean_index"),
]


@pytest.fixture
def sysadmin() -> dict[str, Any]:
    return factories.Sysadmin()


@pytest.fixture
def organization(clean_db, clean_index) -> dict[str, Any]:
    return factories.Organization(
        name="villard-de-lans",
        title="Commune de Villard-de-Lans",
        siren="213805484",
        insee_code="38548",
        collectivite_type="commune",
        contact_email="mairie@villard-de-lans.fr",
    )


def create_dataset(sysadmin: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, **fields
    )


@pytest.fixture
def dataset(sysadmin, organization) -> dict[str, Any]:
    """A dataset with every field of schemas/dataset.yaml. The licence is the
    ODbL: it is in CKAN's default licence register (lov2 is not, see
    test_a_licence_outside_ckans_register_gets_its_uri)."""
    return create_dataset(
        sysadmin,
        name="deliberations",
        title="Délibérations du conseil municipal",
        notes="Les délibérations adoptées depuis 2020.",
        tag_string="conseil,délibérations",
        theme=["GOVE", "REGI"],
        owner_org=organization["id"],
        producer_service="Secrétariat général",
        contact_name="Mairie, service des données",
        contact_email="donnees@villard-de-lans.fr",
        license_id="odc-odbl",
        provenance="Exporté du logiciel de gestion des actes.",
        legal_basis="republique-numerique",
        data_updated="2025-03-31",
        frequency="monthly",
        temporal_start="2020-01-01",
        temporal_end="2025-03-31",
        spatial_insee=["38548", "243801024"],
        spatial_granularity="fr:commune",
        personal_data="none",
        schema_name="scdl/deliberations",
        schema_version="2.1.5",
        data_temperature="hot",
        pivot_data="false",
        known_limits="Les annexes ne sont pas publiées.",
        resources=[
            {
                "url": "https://www.villard-de-lans.fr/deliberations.csv",
                "name": "Délibérations 2020-2025",
                "format": "CSV",
                "description": "Une ligne par délibération.",
                "schema_name": "scdl/budget",
                "schema_version": "0.8.1",
                "size": 12345,
                "hash": "a" * 64,
                "last_modified": "2025-03-31T12:00:00",
            }
        ],
    )


@pytest.fixture
def minimal_dataset(sysadmin, organization) -> dict[str, Any]:
    """The least our schema accepts, under the Licence Ouverte 2.0 (lov2), which
    CKAN's default licence register does not have."""
    return create_dataset(
        sysadmin,
        name="budget",
        title="Budget primitif",
        notes="Le budget voté.",
        owner_org=organization["id"],
        license_id="lov2",
        personal_data="none",
    )


def get_graph(app, path: str, rdf_format: str) -> rdflib.Graph:
    response = app.get(path)
    assert response.status_code == 200, response.body
    return rdflib.Graph().parse(data=response.body, format=rdf_format)


@pytest.fixture
def graph(app, dataset) -> rdflib.Graph:
    return get_graph(app, f"/dataset/{dataset['name']}.ttl", "turtle")


@pytest.fixture
def ref(graph) -> URIRef:
    (subject,) = graph.subjects(RDF.type, DCAT.Dataset)
    return subject


@pytest.fixture
def distribution(graph, ref) -> URIRef:
    (node,) = graph.objects(ref, DCAT.distribution)
    return node


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def shacl_report(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, str]:
    """Every range of the shapes (sh:class) is typed in our RDF itself, so no
    vocabulary graph and no inference is needed."""
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none")
    return conforms, text


# Serialization ----------------------------------------------------------------


def test_rdf_xml_and_turtle_describe_the_same_graph(app, dataset, graph):
    xml = get_graph(app, f"/dataset/{dataset['name']}.rdf", "xml")

    assert isomorphic(xml, graph)


def test_the_dataset_has_its_ckan_id_as_identifier(graph, ref, dataset):
    assert list(graph.objects(ref, DCT.identifier)) == [Literal(dataset["id"])]


def test_insee_codes_are_insee_geography_uris(graph, ref):
    commune = URIRef("http://id.insee.fr/geo/commune/38548")
    epci = URIRef("http://id.insee.fr/geo/intercommunalite/243801024")

    assert set(graph.objects(ref, DCT.spatial)) == {commune, epci}
    assert (commune, RDF.type, DCT.Location) in graph
    assert (epci, DCT.identifier, Literal("243801024")) in graph


def test_each_place_carries_its_bounding_box_as_wkt(graph, ref):
    """The geometry data.gouv.fr reads (dcat:bbox, GeoSPARQL WKT literal),
    the commune's inside the EPCI's; no other Location (the base profile's
    blank node from the "spatial" extra is not kept)."""
    commune = URIRef("http://id.insee.fr/geo/commune/38548")
    epci = URIRef("http://id.insee.fr/geo/intercommunalite/243801024")
    wkt_type = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")

    boxes = {}
    for place in (commune, epci):
        (box,) = graph.objects(place, DCAT.bbox)
        assert box.datatype == wkt_type
        assert str(box).startswith("POLYGON((")
        boxes[place] = [
            tuple(float(v) for v in point.split())
            for point in str(box)[len("POLYGON((") : -2].split(", ")
        ]
    xs = [x for x, _ in boxes[epci]]
    ys = [y for _, y in boxes[epci]]
    assert all(
        min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys) for x, y in boxes[commune]
    )
    assert all(isinstance(p, URIRef) for p in graph.objects(ref, DCT.spatial))


def test_frequency_is_the_eu_frequency_uri_only(graph, ref):
    assert list(graph.objects(ref, DCT.accrualPeriodicity)) == [
        URIRef(f"{EU}/frequency/MONTHLY")
    ]


def test_the_licence_uri_is_on_the_dataset_and_its_distribution(
    graph, ref, distribution
):
    assert list(graph.objects(ref, DCT.license)) == [ODBL]
    assert list(graph.objects(distribution, DCT.license)) == [ODBL]
    assert (ODBL, RDF.type, DCT.LicenseDocument) in graph


def test_a_licence_outside_ckans_register_gets_its_uri(app, minimal_dataset):
    graph = get_graph(app, f"/dataset/{minimal_dataset['name']}.ttl", "turtle")

    (ref,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert list(graph.objects(ref, DCT.license)) == [LICENCE_OUVERTE]


def test_themes_are_eu_data_theme_concepts(graph, ref):
    themes = {URIRef(f"{EU}/data-theme/GOVE"), URIRef(f"{EU}/data-theme/REGI")}

    assert set(graph.objects(ref, DCAT.theme)) == themes
    for theme in themes:
        assert (theme, RDF.type, SKOS.Concept) in graph
        assert graph.value(theme, SKOS.prefLabel)


def test_national_schemas_are_standards_of_dataset_and_distribution(
    graph, ref, distribution
):
    """The schema's file, as schema.data.gouv.fr's catalogue names it (what
    data.gouv.fr recognises a schema by), with its page for people."""
    dataset_schema = URIRef(
        "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"
    )
    resource_schema = URIRef(
        "https://schema.data.gouv.fr/schemas/scdl/budget/0.8.1/schema.json"
    )

    assert list(graph.objects(ref, DCT.conformsTo)) == [dataset_schema]
    assert list(graph.objects(distribution, DCT.conformsTo)) == [resource_schema]
    assert (dataset_schema, RDF.type, DCT.Standard) in graph
    assert graph.value(dataset_schema, FOAF.page) == URIRef(
        "https://schema.data.gouv.fr/scdl/deliberations/2.1.5/"
    )


@pytest.mark.parametrize(
    ("uri", "schema"),
    [
        (
            "https://schema.data.gouv.fr/schemas/139bercy/format-commande-publique/"
            "2.0.3/marches.json",
            ("139bercy/format-commande-publique", "2.0.3"),
        ),
        (
            "https://schema.data.gouv.fr/schemas/scdl/budget/latest/schema.json",
            ("scdl/budget", None),
        ),
        ("https://schema.data.gouv.fr/scdl/budget/0.8.1/", ("scdl/budget", "0.8.1")),
        ("https://schema.data.gouv.fr/scdl/budget/", ("scdl/budget", None)),
        ("https://example.org/scdl/budget/", None),
    ],
)
def test_a_schema_is_read_from_its_file_or_its_page(uri, schema):
    from ckanext.opendata_territoire.metadata.dcat_profile import schema_from_uri

    assert schema_from_uri(uri) == schema


def test_the_schema_file_of_procurement_data_is_the_one_schema_data_gouv_names():
    """data.gouv.fr matches the URL exactly against schema.data.gouv.fr's
    catalogue (tests/quality/fixtures/schemas.json is a copy of it)."""
    import json

    from ckanext.opendata_territoire.metadata.dcat_profile import schema_uri

    catalogue = json.loads(
        (Path(__file__).parents[1] / "quality" / "fixtures" / "schemas.json")
        .read_text()
        .replace("{base_url}", "https://schema.data.gouv.fr")
    )
    known = {
        version["schema_url"]
        for entry in catalogue["schemas"]
        for version in entry["versions"]
    } | {entry["schema_url"] for entry in catalogue["schemas"]}

    for name, version in (
        ("139bercy/format-commande-publique", "2.0.1"),
        ("139bercy/format-commande-publique", None),
        ("scdl/deliberations", "2.1.5"),
        ("scdl/budget", None),
    ):
        assert str(schema_uri(name, version)) in known, (name, version)


def test_the_publisher_is_the_organization_with_its_siren(graph, ref, organization):
    (publisher,) = graph.objects(ref, DCT.publisher)

    assert str(publisher).endswith(f"/organization/{organization['id']}")
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Commune de Villard-de-Lans")
    assert graph.value(publisher, DCT.identifier) == Literal("213805484")
    assert graph.value(publisher, FOAF.mbox) == URIRef(
        "mailto:mairie@villard-de-lans.fr"
    )


def test_the_contact_point_is_a_vcard_with_name_email_and_service(graph, ref):
    (contact,) = graph.objects(ref, DCAT.contactPoint)

    assert set(graph.objects(contact, RDF.type)) == {VCARD.Kind}
    assert graph.value(contact, VCARD.fn) == Literal("Mairie, service des données")
    assert graph.value(contact, VCARD.hasEmail) == URIRef(
        "mailto:donnees@villard-de-lans.fr"
    )
    assert graph.value(contact, VCARD["organization-name"]) == Literal(
        "Secrétariat général"
    )


def test_modified_is_the_date_the_data_was_updated(graph, ref):
    assert list(graph.objects(ref, DCT.modified)) == [
        Literal("2025-03-31", datatype=XSD.date)
    ]


def test_the_period_covered_is_a_period_of_time(graph, ref):
    (period,) = graph.objects(ref, DCT.temporal)

    assert (period, RDF.type, DCT.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal(
        "2020-01-01", datatype=XSD.date
    )
    assert graph.value(period, DCAT.endDate) == Literal("2025-03-31", datatype=XSD.date)


def test_provenance_is_a_provenance_statement(graph, ref):
    (statement,) = graph.objects(ref, DCT.provenance)

    assert (statement, RDF.type, DCT.ProvenanceStatement) in graph
    assert graph.value(statement, RDFS.label) == Literal(
        "Exporté du logiciel de gestion des actes."
    )


def test_known_limits_are_a_quality_annotation(graph, ref):
    (annotation,) = graph.objects(ref, DQV.hasQualityAnnotation)

    assert (annotation, RDF.type, DQV.QualityAnnotation) in graph
    body = graph.value(annotation, OA.hasBody)
    assert graph.value(body, RDF.value) == Literal("Les annexes ne sont pas publiées.")


def test_the_law_for_a_digital_republic_is_the_applicable_legislation(graph, ref):
    assert list(graph.objects(ref, DCATAP.applicableLegislation)) == [
        URIRef("http://www.legifrance.gouv.fr/eli/loi/2016/10/7/ECFI1524250L/jo/texte")
    ]


def test_the_distribution_format_is_an_eu_file_type(graph, distribution):
    assert list(graph.objects(distribution, DCT["format"])) == [
        URIRef(f"{EU}/file-type/CSV")
    ]


def test_the_distribution_checksum_names_its_algorithm(graph, distribution):
    checksum = graph.value(distribution, SPDX.checksum)

    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256


# DCAT-AP 3 SHACL shapes -------------------------------------------------------


def test_the_dataset_conforms_to_dcat_ap_3(graph, shapes):
    conforms, report = shacl_report(graph, shapes)

    assert conforms, report


def test_a_minimal_dataset_conforms_to_dcat_ap_3(app, minimal_dataset, shapes):
    graph = get_graph(app, f"/dataset/{minimal_dataset['name']}.ttl", "turtle")

    conforms, report = shacl_report(graph, shapes)

    assert conforms, report


def test_the_catalog_conforms_to_dcat_ap_3(app, dataset, shapes):
    graph = get_graph(app, "/catalog.ttl", "turtle")

    conforms, report = shacl_report(graph, shapes)

    assert conforms, report


def test_the_catalog_describes_the_dataset_with_our_fields(app, dataset):
    graph = get_graph(app, "/catalog.ttl", "turtle")

    (ref,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert (None, DCAT.dataset, ref) in graph
    assert list(graph.objects(ref, DCT.accrualPeriodicity)) == [
        URIRef(f"{EU}/frequency/MONTHLY")
    ]
    assert URIRef("http://id.insee.fr/geo/commune/38548") in set(
        graph.objects(ref, DCT.spatial)
    )
    assert graph.value(graph.value(ref, DCT.publisher), DCT.identifier) == Literal(
        "213805484"
    )


def test_catalog_pages_carry_hydra_paging(app, dataset):
    graph = get_graph(app, "/catalog.ttl?page=1", "turtle")

    (page,) = graph.subjects(RDF.type, HYDRA.PagedCollection)
    assert graph.value(page, HYDRA.totalItems).toPython() == 1
    assert str(graph.value(page, HYDRA.first)).endswith("/catalog.ttl?page=1")
    assert graph.value(page, HYDRA.itemsPerPage)


# Parsing ----------------------------------------------------------------------

PARSED_KEYS = (
    "title",
    "notes",
    "frequency",
    "theme",
    "temporal_start",
    "temporal_end",
    "data_updated",
    "contact_name",
    "contact_email",
    "producer_service",
    "schema_name",
    "schema_version",
    "license_id",
    "provenance",
    "known_limits",
    "legal_basis",
)


def parse(app, name: str) -> dict[str, Any]:
    """The dataset parsed back from its RDF/XML by the same two profiles."""
    parser = RDFParser(profiles=PROFILES.split())
    parser.parse(app.get(f"/dataset/{name}.rdf").body, _format="xml")
    (parsed,) = parser.datasets()
    return parsed


def test_parsing_our_rdf_gives_the_same_dataset(app, dataset):
    parsed = parse(app, dataset["name"])

    assert {key: parsed.get(key) for key in PARSED_KEYS} == {
        key: dataset[key] for key in PARSED_KEYS
    }
    assert sorted(parsed["spatial_insee"]) == sorted(dataset["spatial_insee"])


def test_parsing_our_rdf_gives_the_same_resource(app, dataset):
    (resource,) = parse(app, dataset["name"])["resources"]

    (original,) = dataset["resources"]
    for key in ("url", "name", "format", "schema_name", "schema_version", "hash"):
        assert resource[key] == original[key], key


def test_parsing_the_licence_ouverte_gives_its_id(app, minimal_dataset):
    assert parse(app, minimal_dataset["name"])["license_id"] == "lov2"
