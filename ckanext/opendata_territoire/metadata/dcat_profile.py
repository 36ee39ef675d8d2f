"""The French DCAT-AP profile of the territory (``territoire_fr``).

It runs AFTER ckanext-dcat's ``euro_dcat_ap_3`` profile
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 territoire_fr
territoire_datagouv``; ``territoire_datagouv``, ``DataGouvProfile`` at the
end of this module, makes the output readable by data.gouv.fr and is left
out of the strict DCAT-AP 3 output,
``?profiles=euro_dcat_ap_3,territoire_fr``): the base profile writes the
generic DCAT-AP 3 triples (title, description, keywords, issued,
distributions, publisher from the organization, temporal coverage,
provenance...), this one maps the fields of our scheming schema the base
profile does not know, or maps wrongly, and reads them back from RDF.

What each field becomes (dataset ``<d>``, distribution ``<r>``):

======================  ====================================================
field                   RDF
======================  ====================================================
id                      ``<d> dct:identifier "<id>"`` (base profile; ensured)
spatial_insee           ``<d> dct:spatial <http://id.insee.fr/geo/commune/38548>``
                        (commune) or ``.../geo/intercommunalite/<SIREN>``
                        (EPCI), each ``a dct:Location`` with the code as
                        ``dct:identifier``. id.insee.fr now mints opaque
                        (UUID) URIs for both; the code-based URIs are the
                        readable form data.gouv.fr's ``spatial-uri`` extra
                        also uses (datagouv/exposed.py). Parsing reads the
                        code from the URI, else from ``dct:identifier``.
                        Each Location known to the territory's reference
                        data also gets its bounding box, ``dcat:bbox
                        "POLYGON((...))"^^gsp:wktLiteral``
                        (territory/geometry.py), the geometry data.gouv.fr
                        shows as the coverage.
spatial_granularity     not mapped: DCAT-AP has no property for the level of
                        a spatial coverage (``dcat:spatialResolutionInMeters``
                        is a distance), and data.gouv.fr's DCAT export has
                        none either.
frequency               ``dct:accrualPeriodicity`` EU frequency URI (the
                        ``eu`` id of choices.yaml), ``a dct:Frequency``; the
                        base profile's literal is removed. Parsing: the first
                        entry of choices.yaml with that EU id.
license_id              ``dct:license`` on the dataset and on every
                        distribution that has none, ``a dct:LicenseDocument``
                        with its French and English ``dct:title`` and, as
                        ``rdfs:label``, data.gouv.fr's title for the id (its
                        DCAT harvester reads a licence's label before its
                        URI). URI: the ``uri`` of the licence register (the
                        URL data.gouv.fr's licence list gives for the id)
                        (licences/register.yaml), else the dataset's
                        ``license_url``; generic entries (not specified,
                        other...) have none. Parsing maps the register's
                        URIs, URLs and alternate URIs back to the id.
reuse mention           ``dct:rights [a dct:RightsStatement; rdfs:label
                        "Source : ..."@fr, "Source: ..."@en]`` on the dataset
                        and its distributions (licences/mention.py); computed,
                        so parsing drops it.
theme                   ``dcat:theme`` EU data-theme URI ``a skos:Concept``
                        with its ``skos:prefLabel`` (the base profile's
                        relative URIs are removed).
schema_name/_version    ``dct:conformsTo <https://schema.data.gouv.fr/schemas/
                        <name>/<version>/<file>>`` (``latest`` without a
                        version; the file URL schema.data.gouv.fr's
                        catalogue gives, which data.gouv.fr recognises) ``a
                        dct:Standard; foaf:page <https://schema.data.gouv.fr/
                        <name>/<version>/>``, on the dataset and, for the
                        resource-level fields, on the distribution. Parsing
                        reads both forms.
owner_org               base profile: ``dct:publisher
                        <{site_url}/organization/<org id>> a foaf:Agent`` with
                        ``foaf:name``; this profile adds the SIREN as
                        ``dct:identifier``, its ``contact_email`` as
                        ``foaf:mbox`` (data.gouv.fr's publisher contact)
                        and, for local authorities, ``dct:type`` ADMS
                        publisher type ``LocalAuthority``.
contact_name/_email     ``dcat:contactPoint [a vcard:Kind; vcard:fn;
                        vcard:hasEmail <mailto:...>]`` (replaces the base
                        profile's ``vcard:Organization`` node; one the base
                        profile builds from maintainer/author is typed
                        ``vcard:Kind`` too).
producer_service        ``vcard:organization-name`` of that contact point.
data_updated            ``dct:modified`` (xsd:date), replacing the base
                        profile's metadata_modified; without it the base
                        value stays. Parsing takes the date part of
                        ``dct:modified``.
temporal_start/_end     base profile: ``dct:temporal [a dct:PeriodOfTime;
                        dcat:startDate; dcat:endDate]`` (xsd:date).
provenance              base profile: ``dct:provenance [a
                        dct:ProvenanceStatement; rdfs:label]``.
known_limits            W3C Data Quality Vocabulary: ``dqv:hasQualityAnnotation
                        [a dqv:QualityAnnotation; oa:motivatedBy
                        dqv:qualityAssessment; oa:hasBody [a oa:TextualBody;
                        rdf:value]]`` (``adms:versionNotes`` is about what
                        changed between versions, not about known gaps).
legal_basis             ``dcatap:applicableLegislation`` ELI ``a
                        eli:LegalResource``, only for the basis that has an
                        ELI (republique-numerique: loi 2016-1321); the others
                        (CGCT, DECP, voluntary) are not mapped.
personal_data,          not mapped (no DCAT-AP property).
data_temperature,
pivot_data
resource format         ``dct:format`` EU file-type URI ``a
                        dct:MediaTypeOrExtent`` (an unknown format: a blank
                        node with its ``rdfs:label``); a media type literal
                        becomes its IANA URI ``a dct:MediaType``.
resource hash           the base profile's ``spdx:Checksum`` gets the
                        ``spdx:algorithm`` implied by the hash length.
resource last_modified  ``dct:modified`` of the distribution.
resource url            base profile: ``dcat:accessURL``; typed
                        ``rdfs:Resource`` here, as the shapes ask.
======================  ====================================================

Ranges are typed in the output itself (``a skos:Concept`` with a
``skos:prefLabel``, ``a dct:Frequency``, ``a dct:Location``...), so the RDF
conforms to the DCAT-AP 3 SHACL shapes without the EU vocabularies.

The catalogue (``graph_from_catalog``) gets what DCAT-AP 3 requires and the
base profile leaves out: a publisher (the territory, ``ckanext.territoire.name``),
a description when ``ckan.site_description`` is empty, an EU language URI
instead of the ``"fr"`` literal, and its homepage typed ``foaf:Document``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ckanext.dcat.profiles import (
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    CleanedURIRef,
    RDFProfile,
)
from ckanext.dcat.utils import resource_uri
from ckanext.opendata_territoire.datagouv.exposed import INSEE_GEO, insee_uri
from ckanext.opendata_territoire.licences import mention, register
from ckanext.opendata_territoire.metadata import choices
from ckanext.opendata_territoire.territory import geometry

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
# GeoSPARQL's WKT literal, the datatype DCAT-AP and data.gouv.fr read a
# dcat:bbox in.
WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority"
EU_FREQUENCY = f"{EU_AUTHORITY}/frequency/"
EU_THEME = f"{EU_AUTHORITY}/data-theme/"
EU_FILE_TYPE = f"{EU_AUTHORITY}/file-type/"
EU_LANGUAGE = f"{EU_AUTHORITY}/language/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SCHEMA_DATA_GOUV = "https://schema.data.gouv.fr/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
LOCAL_AUTHORITY = URIRef(f"{ADMS_PUBLISHER_TYPE}LocalAuthority")
# collectivite_types that are local authorities (the others: other-public-body)
LOCAL_AUTHORITY_TYPES = {"commune", "epci", "syndicat", "departement", "region"}

# The languages the reuse mention and the licence titles are written in.
RDF_LANGUAGES = ("fr", "en")

LEGAL_BASIS_ELI = {
    "republique-numerique": (
        "http://www.legifrance.gouv.fr/eli/loi/2016/10/7/ECFI1524250L/jo/texte"
    ),
}

# CKAN format names -> EU file-type ids (the ones a local catalogue uses).
EU_FILE_TYPES = {
    "CSV": "CSV",
    "TSV": "TSV",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "JSON-LD": "JSON_LD",
    "XML": "XML",
    "RDF": "RDF",
    "RDF/XML": "RDF_XML",
    "TTL": "RDF_TURTLE",
    "TURTLE": "RDF_TURTLE",
    "XLS": "XLS",
    "XLSX": "XLSX",
    "ODS": "ODS",
    "ODT": "ODT",
    "DOC": "DOC",
    "DOCX": "DOCX",
    "PDF": "PDF",
    "TXT": "TXT",
    "HTML": "HTML",
    "ZIP": "ZIP",
    "SHP": "SHP",
    "KML": "KML",
    "KMZ": "KMZ",
    "GML": "GML",
    "GPKG": "GPKG",
    "PNG": "PNG",
    "JPEG": "JPEG",
    "JPG": "JPEG",
    "TIFF": "TIFF",
    "PARQUET": "PARQUET",
}

# EU file-type ids -> CKAN format names (the first name of EU_FILE_TYPES).
CKAN_FORMATS = {code: name for name, code in reversed(EU_FILE_TYPES.items())}

# The file of a schema on schema.data.gouv.fr when it is not schema.json
# (Table Schemas are all schema.json).
SCHEMA_FILES = {"139bercy/format-commande-publique": "marches.json"}

HASH_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256"}
LANGUAGES = {"fr": "FRA", "en": "ENG"}
VERSION = re.compile(r"^\d+(?:\.\d+){0,3}$")


# CKAN -> RDF values ---------------------------------------------------------


def frequency_uri(frequency: str) -> URIRef | None:
    for entry in choices.choice_list("frequencies"):
        if entry["value"] == frequency and entry.get("eu"):
            return URIRef(EU_FREQUENCY + entry["eu"])
    return None


def schema_page_uri(name: str, version: str | None = None) -> URIRef:
    """The schema's page on schema.data.gouv.fr (for people)."""
    path = f"{name.strip('/')}/{version}/" if version else f"{name.strip('/')}/"
    return URIRef(SCHEMA_DATA_GOUV + path)


def schema_uri(name: str, version: str | None = None) -> URIRef:
    """The schema's file on schema.data.gouv.fr, as its catalogue
    (``schemas.json``) gives it: the URL data.gouv.fr recognises a schema by
    (udata's ``ResourceSchema.get_existing_schema_info_by_url``; a page URL
    is kept as an unknown link). ``latest`` without a version."""
    name = name.strip("/")
    file = SCHEMA_FILES.get(name, "schema.json")
    return URIRef(f"{SCHEMA_DATA_GOUV}schemas/{name}/{version or 'latest'}/{file}")


def licence_uri(dataset_dict: dict[str, Any]) -> str | None:
    license_id = dataset_dict.get("license_id")
    if not license_id:
        return None
    entry = register.licence(license_id)
    if entry:
        return entry.uri or None
    return dataset_dict.get("license_url") or None


# RDF -> CKAN values ---------------------------------------------------------


def frequency_id(uri: str) -> str | None:
    if not uri.startswith(EU_FREQUENCY):
        return uri if uri in choices.values("frequencies") else None
    eu_id = uri[len(EU_FREQUENCY) :]
    for entry in choices.choice_list("frequencies"):
        if entry.get("eu") == eu_id:
            return str(entry["value"])
    return None


def schema_from_uri(uri: str) -> tuple[str, str | None] | None:
    """``(name, version)`` of a schema.data.gouv.fr URI: the name is the two
    first path segments (``scdl/deliberations``), the version the third."""
    if not uri.startswith(SCHEMA_DATA_GOUV):
        return None
    parts = [part for part in uri[len(SCHEMA_DATA_GOUV) :].split("/") if part]
    if parts[:1] == ["schemas"]:  # the file: schemas/<name>/<version>/<file>
        parts = parts[1:]
    if len(parts) < 2:
        return None
    version = parts[2] if len(parts) > 2 and VERSION.match(parts[2]) else None
    return f"{parts[0]}/{parts[1]}", version


def _normalised_url(url: str) -> str:
    return re.sub(r"^https?://", "", url.strip()).rstrip("/").lower()


def licence_id(uri: str) -> str | None:
    entry = register.by_uri(uri)
    return entry.id if entry else None


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str) and value:
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return [str(item) for item in loaded] if isinstance(loaded, list) else [value]
    return []


def _pop_extra(dataset_dict: dict[str, Any], key: str) -> Any:
    for extra in list(dataset_dict.get("extras", [])):
        if extra["key"] == key:
            dataset_dict["extras"].remove(extra)
            return extra["value"]
    return None


class TerritoireFrenchProfile(RDFProfile):
    """Our scheming fields in DCAT-AP 3, both ways (see the module docstring)."""

    # Serialization ----------------------------------------------------------

    def graph_from_dataset(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> None:
        self.g.bind("dqv", DQV)
        self.g.bind("oa", OA)
        self.g.bind("eli", ELI)
        self._identifier(dataset_dict, dataset_ref)
        self._frequency(dataset_dict, dataset_ref)
        self._themes(dataset_dict, dataset_ref)
        self._spatial_insee(dataset_dict, dataset_ref)
        self._conforms_to(dataset_dict, dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        self._contact_point(dataset_dict, dataset_ref)
        self._data_updated(dataset_dict, dataset_ref)
        self._known_limits(dataset_dict, dataset_ref)
        self._legal_basis(dataset_dict, dataset_ref)
        licence = licence_uri(dataset_dict)
        if licence:
            self._add_licence(dataset_ref, URIRef(licence), dataset_dict)
        rights = self._reuse_mention(dataset_dict, dataset_ref)
        for resource_dict in dataset_dict.get("resources", []):
            distribution = CleanedURIRef(resource_uri(resource_dict))
            self._distribution(resource_dict, distribution)
            if licence and (distribution, DCT.license, None) not in self.g:
                self._add_licence(distribution, URIRef(licence), dataset_dict)
            if (distribution, DCT.rights, None) not in self.g:
                self.g.add((distribution, DCT.rights, rights))

    def graph_from_catalog(
        self, catalog_dict: dict[str, Any] | None, catalog_ref: Node
    ) -> None:
        g = self.g
        territory = tk.config.get("ckanext.territoire.name")
        if not self._object(catalog_ref, DCT.description):
            g.add(
                (
                    catalog_ref,
                    DCT.description,
                    Literal(f"Catalogue de données ouvertes : {territory}", lang="fr"),
                )
            )
        if not self._object(catalog_ref, DCT.publisher):
            publisher = BNode()
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(territory)))
            self._add_publisher_type(publisher)
        for language in list(g.objects(catalog_ref, DCT.language)):
            code = LANGUAGES.get(str(language).split("_")[0].lower())
            if isinstance(language, Literal) and code:
                g.remove((catalog_ref, DCT.language, language))
                uri = URIRef(EU_LANGUAGE + code)
                g.add((catalog_ref, DCT.language, uri))
                g.add((uri, RDF.type, DCT.LinguisticSystem))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))

    def _identifier(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        if (dataset_ref, DCT.identifier, None) not in self.g:
            identifier = dataset_dict.get("id") or str(dataset_ref)
            self.g.add((dataset_ref, DCT.identifier, Literal(identifier)))

    def _frequency(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        value = self._get_dataset_value(dataset_dict, "frequency")
        if not value:
            return
        self.g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        uri = frequency_uri(value)
        if uri is None and str(value).startswith(EU_FREQUENCY):
            uri = URIRef(value)
        if uri is not None:
            self.g.add((dataset_ref, DCT.accrualPeriodicity, uri))
            self.g.add((uri, RDF.type, DCT.Frequency))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        codes = _json_list(self._get_dataset_value(dataset_dict, "theme"))
        if not codes:
            return
        self.g.remove((dataset_ref, DCAT.theme, None))
        scheme = URIRef(EU_THEME.rstrip("/"))
        for code in codes:
            label = choices.label("themes", code)
            if label is None:
                continue
            uri = URIRef(EU_THEME + code)
            self.g.add((dataset_ref, DCAT.theme, uri))
            self.g.add((uri, RDF.type, SKOS.Concept))
            self.g.add((uri, SKOS.prefLabel, Literal(label, lang="en")))
            self.g.add((uri, SKOS.inScheme, scheme))

    def _spatial_insee(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        # The base profile writes the "spatial" extra (our bounding boxes for
        # data.gouv.fr's CKAN harvester, datagouv/exposed.py) as a blank
        # Location with a literal locn:geometry, which DCAT-AP 3 refuses (a
        # locn:Geometry node): the boxes are given below, on the INSEE
        # Locations, as dcat:bbox.
        for location in list(self.g.objects(dataset_ref, DCT.spatial)):
            if isinstance(location, BNode):
                self.g.remove((dataset_ref, DCT.spatial, location))
                self.g.remove((location, None, None))
        for code in _json_list(self._get_dataset_value(dataset_dict, "spatial_insee")):
            location = URIRef(insee_uri(code))
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, DCT.identifier, Literal(code)))
            box = geometry.bbox(code)
            if box is not None:
                self.g.add(
                    (location, DCAT.bbox, Literal(geometry.wkt(box), datatype=WKT))
                )

    def _conforms_to(self, data_dict: dict[str, Any], subject: Node) -> None:
        name = self._get_dict_value(data_dict, "schema_name")
        if not name:
            return
        version = self._get_dict_value(data_dict, "schema_version")
        uri = schema_uri(name, version)
        self.g.add((subject, DCT.conformsTo, uri))
        self.g.add((uri, RDF.type, DCT.Standard))
        page = schema_page_uri(name, version)
        self.g.add((uri, FOAF.page, page))
        self.g.add((page, RDF.type, FOAF.Document))

    def _organization(self, dataset_dict: dict[str, Any]) -> dict[str, Any] | None:
        """The owner organization with its scheming fields. The base profile
        already fetched it into ckanext-dcat's organization cache."""
        org_id = (dataset_dict.get("organization") or {}).get("id")
        if not org_id:
            return None
        if org_id not in self._org_cache:
            try:
                self._org_cache[org_id] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": org_id}
                )
            except tk.ObjectNotFound:
                return None
        return self._org_cache[org_id]

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        publisher = self._object(dataset_ref, DCT.publisher)
        org = self._organization(dataset_dict)
        if publisher is None or not org:
            return
        if org.get("siren") and (publisher, DCT.identifier, None) not in self.g:
            self.g.add((publisher, DCT.identifier, Literal(org["siren"])))
        if org.get("contact_email") and (publisher, FOAF.mbox, None) not in self.g:
            mailbox = URIRef(self._add_mailto(org["contact_email"]))
            self.g.add((publisher, FOAF.mbox, mailbox))
        if (
            org.get("collectivite_type") in LOCAL_AUTHORITY_TYPES
            and (publisher, DCT.type, None) not in self.g
        ):
            self._add_publisher_type(publisher)

    def _add_publisher_type(self, publisher: Node) -> None:
        self.g.add((publisher, DCT.type, LOCAL_AUTHORITY))
        self.g.add((LOCAL_AUTHORITY, RDF.type, SKOS.Concept))
        self.g.add(
            (LOCAL_AUTHORITY, SKOS.prefLabel, Literal("Local Authority", lang="en"))
        )
        self.g.add(
            (LOCAL_AUTHORITY, SKOS.inScheme, URIRef(ADMS_PUBLISHER_TYPE + "1.0"))
        )

    def _contact_point(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        name = self._get_dataset_value(dataset_dict, "contact_name")
        email = self._get_dataset_value(dataset_dict, "contact_email")
        service = self._get_dataset_value(dataset_dict, "producer_service")
        if not (name or email or service):
            # The base profile's contact from maintainer/author: its
            # vcard:Organization is a vcard:Kind, say it for the shapes.
            for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
                self.g.add((contact, RDF.type, VCARD.Kind))
            return
        # Replace the base profile's vcard:Organization built from the same keys.
        for contact in list(self.g.objects(dataset_ref, DCAT.contactPoint)):
            self.g.remove((dataset_ref, DCAT.contactPoint, contact))
            if isinstance(contact, BNode):
                self.g.remove((contact, None, None))
        contact = BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Kind))
        if name:
            self.g.add((contact, VCARD.fn, Literal(name)))
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(self._add_mailto(email))))
        if service:
            self.g.add((contact, VCARD["organization-name"], Literal(service)))

    def _data_updated(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        value = self._get_dataset_value(dataset_dict, "data_updated")
        if value:
            self.g.remove((dataset_ref, DCT.modified, None))
            self._add_date_triple(dataset_ref, DCT.modified, value)

    def _known_limits(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        text = self._get_dataset_value(dataset_dict, "known_limits")
        if not text:
            return
        annotation, body = BNode(), BNode()
        self.g.add((dataset_ref, DQV.hasQualityAnnotation, annotation))
        self.g.add((annotation, RDF.type, DQV.QualityAnnotation))
        self.g.add((annotation, OA.hasTarget, dataset_ref))
        self.g.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
        self.g.add((annotation, OA.hasBody, body))
        self.g.add((body, RDF.type, OA.TextualBody))
        self.g.add((body, RDF.value, Literal(text)))

    def _legal_basis(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        eli = LEGAL_BASIS_ELI.get(
            self._get_dataset_value(dataset_dict, "legal_basis") or ""
        )
        if eli:
            self.g.add((dataset_ref, DCATAP.applicableLegislation, URIRef(eli)))
            self.g.add((URIRef(eli), RDF.type, ELI.LegalResource))

    def _add_licence(
        self, subject: Node, licence: URIRef, dataset_dict: dict[str, Any]
    ) -> None:
        self.g.add((subject, DCT.license, licence))
        self.g.add((licence, RDF.type, DCT.LicenseDocument))
        entry = register.licence(dataset_dict.get("license_id"))
        if entry is None:
            title = dataset_dict.get("license_title")
            if title and title != dataset_dict.get("license_id"):
                self.g.set((licence, DCT.title, Literal(title)))
            return
        self.g.remove((licence, DCT.title, None))
        for language in RDF_LANGUAGES:
            title = entry.title_in(language)
            self.g.add((licence, DCT.title, Literal(title, lang=language)))
        self.g.set((licence, RDFS.label, Literal(entry.datagouv_title)))

    def _reuse_mention(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> Node:
        """The reuse mention as the dataset's rights statement (its
        distributions point to the same node)."""
        rights = BNode()
        self.g.add((dataset_ref, DCT.rights, rights))
        self.g.add((rights, RDF.type, DCT.RightsStatement))
        for language in RDF_LANGUAGES:
            text = mention.reuse_mention(dataset_dict, language)
            self.g.add((rights, RDFS.label, Literal(text, lang=language)))
        return rights

    def _distribution(self, resource_dict: dict[str, Any], distribution: Node) -> None:
        g = self.g
        self._conforms_to(resource_dict, distribution)
        for fmt in list(g.objects(distribution, DCT["format"])):
            if not isinstance(fmt, Literal):
                continue
            g.remove((distribution, DCT["format"], fmt))
            code = EU_FILE_TYPES.get(str(fmt).strip().upper())
            node: Node = URIRef(EU_FILE_TYPE + code) if code else BNode()
            g.add((distribution, DCT["format"], node))
            g.add((node, RDF.type, DCT.MediaTypeOrExtent))
            if not code:
                g.add((node, RDFS.label, fmt))
        # Every URL is an rdfs:Resource: typed as the base profile does for
        # access_url/download_url, but not for the CKAN url it falls back to.
        for url in g.objects(distribution, DCAT.accessURL):
            g.add((url, RDF.type, RDFS.Resource))
        for url in g.objects(distribution, DCAT.downloadURL):
            g.add((url, RDF.type, RDFS.Resource))
        for media_type in list(g.objects(distribution, DCAT.mediaType)):
            if isinstance(media_type, Literal) and "/" in media_type:
                g.remove((distribution, DCAT.mediaType, media_type))
                uri = URIRef(IANA_MEDIA_TYPES + str(media_type).strip())
                g.add((distribution, DCAT.mediaType, uri))
                g.add((uri, RDF.type, DCT.MediaType))
        for checksum in g.objects(distribution, SPDX.checksum):
            value = self._object_value(checksum, SPDX.checksumValue)
            algorithm = HASH_ALGORITHMS.get(len(value))
            if algorithm and (checksum, SPDX.algorithm, None) not in g:
                uri = SPDX[f"checksumAlgorithm_{algorithm}"]
                g.add((checksum, SPDX.algorithm, uri))
                g.add((uri, RDF.type, SPDX.ChecksumAlgorithm))
        last_modified = resource_dict.get("last_modified")
        if last_modified:
            g.remove((distribution, DCT.modified, None))
            self._add_date_triple(distribution, DCT.modified, last_modified)

    # Parsing ----------------------------------------------------------------

    def parse_dataset(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> dict[str, Any]:
        dataset_dict.setdefault("extras", [])
        self._parse_frequency(dataset_dict)
        self._parse_themes(dataset_dict, dataset_ref)
        self._parse_spatial(dataset_dict, dataset_ref)
        self._parse_schema(dataset_dict, dataset_ref)
        self._parse_licence(dataset_dict, dataset_ref)
        self._parse_contact(dataset_dict, dataset_ref)
        self._parse_data_updated(dataset_dict, dataset_ref)
        self._parse_known_limits(dataset_dict, dataset_ref)
        self._parse_legal_basis(dataset_dict, dataset_ref)
        mentions = set(self.g.objects(dataset_ref, DCT.rights))
        for resource_dict in dataset_dict.get("resources", []):
            self._parse_distribution(resource_dict, mentions)
        return dataset_dict

    def _parse_frequency(self, dataset_dict: dict[str, Any]) -> None:
        value = dataset_dict.pop("frequency", None) or _pop_extra(
            dataset_dict, "frequency"
        )
        frequency = frequency_id(str(value)) if value else None
        if frequency:
            dataset_dict["frequency"] = frequency

    def _parse_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        found = {
            str(uri)[len(EU_THEME) :]
            for uri in self.g.objects(dataset_ref, DCAT.theme)
            if str(uri).startswith(EU_THEME)
        }
        dataset_dict.pop("theme", None)
        _pop_extra(dataset_dict, "theme")
        codes = [code for code in choices.values("themes") if code in found]
        if codes:
            dataset_dict["theme"] = codes

    def _parse_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        codes = []
        for location in self.g.objects(dataset_ref, DCT.spatial):
            uri = str(location)
            if not uri.startswith(f"{INSEE_GEO}/"):
                continue
            code = uri.rstrip("/").rsplit("/", 1)[-1]
            if not re.fullmatch(r"(?:\d{2}|2[AB])\d{3}|\d{9}", code):
                code = self._object_value(location, DCT.identifier)
            if code and code not in codes:
                codes.append(code)
        if codes:
            dataset_dict["spatial_insee"] = sorted(codes)
            spatial_uri = next(
                (e for e in dataset_dict["extras"] if e["key"] == "spatial_uri"), None
            )
            if spatial_uri and spatial_uri["value"].startswith(f"{INSEE_GEO}/"):
                dataset_dict["extras"].remove(spatial_uri)

    def _schema_of(self, subject: Node) -> tuple[str, str | None] | None:
        for standard in self.g.objects(subject, DCT.conformsTo):
            schema = schema_from_uri(str(standard))
            if schema:
                return schema
        return None

    @staticmethod
    def _set_schema(
        data_dict: dict[str, Any], schema: tuple[str, str | None] | None
    ) -> None:
        if not schema:
            return
        data_dict["schema_name"], version = schema
        if version:
            data_dict["schema_version"] = version
        conforms_to = data_dict.get("conforms_to")
        if conforms_to is not None:
            others = [
                uri
                for uri in _json_list(conforms_to)
                if not uri.startswith(SCHEMA_DATA_GOUV)
            ]
            if others:
                data_dict["conforms_to"] = json.dumps(others)
            else:
                del data_dict["conforms_to"]

    def _parse_schema(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        schema = self._schema_of(dataset_ref)
        if schema:
            self._set_schema(dataset_dict, schema)
            conforms_to = _pop_extra(dataset_dict, "conforms_to")
            others = [
                uri
                for uri in _json_list(conforms_to)
                if not uri.startswith(SCHEMA_DATA_GOUV)
            ]
            if others:
                dataset_dict["extras"].append(
                    {"key": "conforms_to", "value": json.dumps(others)}
                )
        for resource_dict in dataset_dict.get("resources", []):
            ref = resource_dict.get("distribution_ref")
            if ref:
                self._set_schema(resource_dict, self._schema_of(self._ref(ref)))

    def _parse_licence(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The register's id of the dataset's licence (or of its first
        distribution's), replacing what the base profile found in CKAN's
        default list; else the base profile's value; else the URI."""
        candidates = list(self.g.objects(dataset_ref, DCT.license))
        for distribution in self._distributions(dataset_ref):
            candidates.extend(self.g.objects(distribution, DCT.license))
        uris = [str(uri) for uri in candidates if isinstance(uri, URIRef)]
        for uri in uris:
            found = licence_id(uri)
            if found:
                dataset_dict["license_id"] = found
                return
        if not dataset_dict.get("license_id") and uris:
            dataset_dict["license_id"] = uris[0]

    def _parse_contact(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            service = self._object_value(contact, VCARD["organization-name"])
            if service:
                dataset_dict["producer_service"] = service
            return

    def _parse_data_updated(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> None:
        modified = self._object_value(dataset_ref, DCT.modified)
        if re.match(r"^\d{4}-\d{2}-\d{2}", modified):
            dataset_dict["data_updated"] = modified[:10]
            _pop_extra(dataset_dict, "modified")

    def _parse_known_limits(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> None:
        for annotation in self.g.objects(dataset_ref, DQV.hasQualityAnnotation):
            for body in self.g.objects(annotation, OA.hasBody):
                text = (
                    body if isinstance(body, Literal) else self.g.value(body, RDF.value)
                )
                if text:
                    dataset_dict["known_limits"] = str(text)
                    return

    def _parse_legal_basis(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> None:
        by_eli = {_normalised_url(eli): key for key, eli in LEGAL_BASIS_ELI.items()}
        for legislation in self.g.objects(dataset_ref, DCATAP.applicableLegislation):
            key = by_eli.get(_normalised_url(str(legislation)))
            if key:
                dataset_dict["legal_basis"] = key
                break
        else:
            return
        legislations = _pop_extra(dataset_dict, "applicable_legislation")
        others = [
            uri
            for uri in _json_list(legislations)
            if _normalised_url(uri) not in by_eli
        ]
        if others:
            dataset_dict["extras"].append(
                {"key": "applicable_legislation", "value": json.dumps(others)}
            )

    def _parse_distribution(
        self, resource_dict: dict[str, Any], mentions: set[Node]
    ) -> None:
        ref = resource_dict.get("distribution_ref")
        if ref and self.g.value(self._ref(ref), DCT.rights) in mentions:
            resource_dict.pop("rights", None)  # the reuse mention: computed
        fmt = str(resource_dict.get("format") or "")
        if fmt.startswith(EU_FILE_TYPE):
            code = fmt[len(EU_FILE_TYPE) :]
            resource_dict["format"] = CKAN_FORMATS.get(code, code)
        elif not fmt and ref:
            for node in self.g.objects(self._ref(ref), DCT["format"]):
                label = self._object_value(node, RDFS.label)
                if label:
                    resource_dict["format"] = label
        mimetype = str(resource_dict.get("mimetype") or "")
        if mimetype.startswith(IANA_MEDIA_TYPES):
            resource_dict["mimetype"] = mimetype[len(IANA_MEDIA_TYPES) :]
        if resource_dict.get("modified") and self._schema_resource_field(
            "last_modified"
        ):
            resource_dict["last_modified"] = resource_dict.pop("modified")

    @staticmethod
    def _ref(ref: str) -> Node:
        return URIRef(ref) if "://" in ref else BNode(ref)


class DataGouvProfile(RDFProfile):
    """``territoire_datagouv``, after ``territoire_fr``: what data.gouv.fr's
    DCAT harvester (udata's ``DcatBackend``) needs and DCAT-AP 3 does not
    allow, for the catalogue data.gouv.fr is told to harvest.

    Only one thing: ``spdx:checksumValue`` as a plain literal. DCAT-AP 3's
    shapes ask for ``xsd:hexBinary``; udata reads a literal with rdflib's
    ``toPython()``, which decodes a hexBinary into bytes, and its
    ``Checksum.value`` is a string field: the whole dataset is refused
    (every dataset with a hashed file, the procurement ones first).

    The catalogue's default profiles include this one (the URL a territory
    declares on data.gouv.fr is the plain ``/catalog.ttl``); the strict
    DCAT-AP 3 output, for the European tools and the SHACL shapes, is
    ``/catalog.ttl?profiles=euro_dcat_ap_3,territoire_fr``."""

    def graph_from_dataset(
        self, dataset_dict: dict[str, Any], dataset_ref: Node
    ) -> None:
        g = self.g
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for checksum in g.objects(distribution, SPDX.checksum):
                for value in list(g.objects(checksum, SPDX.checksumValue)):
                    if isinstance(value, Literal) and value.datatype is not None:
                        g.remove((checksum, SPDX.checksumValue, value))
                        g.add((checksum, SPDX.checksumValue, Literal(str(value))))
