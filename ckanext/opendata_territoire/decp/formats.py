"""What the DECP formats say: the two JSON layouts (2019, schema 1.5.0; 2022,
schema 2.0.x), their enumerations and the types of their fields.

Sources: 139bercy/format-commande-publique, tag 1.5.0 (marches.json) and
HEAD (schema_decp_v2.0.3.json); see docs/reference/french_domain.md, section 1.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

V2019 = "2019"
V2022 = "2022"
VERSIONS = (V2019, V2022)

MARCHE = "marche"
CONCESSION = "concession"

# How the file is laid out, told by detect_format().
JSON_2019 = "json-2019"  # {"marches": [ ...marchés and concessions... ]}
JSON_2022 = "json-2022"  # {"marches": {"marche": [...], "contrat-concession": [...]}}
XML = "xml"  # <marches><marche>...</marche><contrat-concession>...</...></marches>
# The tabular consolidation (decp-processing, the data behind decp.info): one
# row per contract, titulaire and modification, as Parquet or CSV.
TABULAR_PARQUET = "tabular-parquet"
TABULAR_CSV = "tabular-csv"
TABULAR = (TABULAR_PARQUET, TABULAR_CSV)
FORMATS = (JSON_2019, JSON_2022, XML, *TABULAR)

# The JSON key (2022) and XML element of each kind.
ELEMENT = {MARCHE: "marche", CONCESSION: "contrat-concession"}

# The buyer's key: the acheteur of a marché, the autorité concédante of a
# concession.
BUYER_KEY = {MARCHE: "acheteur", CONCESSION: "autoriteConcedante"}
# Holders of the contract: titulaires of a marché, concessionnaires.
HOLDERS_KEY = {MARCHE: "titulaires", CONCESSION: "concessionnaires"}
HOLDER_ITEM = {MARCHE: "titulaire", CONCESSION: "concessionnaire"}
# The date the contract took effect: notified (marché), signed (concession).
START_DATE_KEY = {MARCHE: "dateNotification", CONCESSION: "dateSignature"}
MODIFICATION_DATE_KEY = {
    MARCHE: "dateNotificationModification",
    CONCESSION: "dateSignatureModification",
}
# The amount: montant of a marché, valeurGlobale of a concession.
AMOUNT_KEY = {MARCHE: "montant", CONCESSION: "valeurGlobale"}

IDENTIFIER_TYPES_2019 = (
    "SIRET",
    "TVA",
    "TAHITI",
    "RIDET",
    "FRWF",
    "IREP",
    "UE",
    "HORS-UE",
)
IDENTIFIER_TYPES_2022 = ("SIRET", "TVA", "TAHITI", "RIDET", "FRWF", "IREP", "HORS-UE")
PLACE_CODE_TYPES = (
    "Code postal",
    "Code commune",
    "Code arrondissement",
    "Code canton",
    "Code département",
    "Code région",
    "Code pays",
)
PROCEDURES_MARCHE = (
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
)
PROCEDURES_CONCESSION = (
    "Procédure négociée ouverte",
    "Procédure non négociée ouverte",
    "Procédure négociée restreinte",
    "Procédure non négociée restreinte",
)
NATURES_CONCESSION = (
    "Concession de travaux",
    "Concession de service",
    "Concession de service public",
    "Délégation de service public",
)

# Enumerated scalar fields: (version, kind) -> {field: allowed values}.
ENUMERATIONS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    (V2019, MARCHE): {
        "nature": (
            "Marché",
            "Marché de partenariat",
            "Accord-cadre",
            "Marché subséquent",
        ),
        "procedure": PROCEDURES_MARCHE,
        "formePrix": ("Ferme", "Ferme et actualisable", "Révisable"),
    },
    (V2019, CONCESSION): {
        "nature": NATURES_CONCESSION,
        "procedure": PROCEDURES_CONCESSION,
    },
    (V2022, MARCHE): {
        "nature": (
            "Marché",
            "Marché de partenariat",
            "Marché de défense ou de sécurité",
        ),
        "procedure": PROCEDURES_MARCHE,
        "formePrix": ("Unitaire", "Forfaitaire", "Mixte"),
        "ccag": (
            "Travaux",
            "Maitrise d'œuvre",
            "Fournitures courantes et services",
            "Marchés industriels",
            "Prestations intellectuelles",
            "Techniques de l'information et de la communication",
            "Pas de CCAG",
        ),
        "typeGroupementOperateurs": ("Conjoint", "Solidaire", "Pas de groupement"),
    },
    (V2022, CONCESSION): {
        "nature": NATURES_CONCESSION,
        "procedure": PROCEDURES_CONCESSION,
    },
}

# Enumerated lists of the 2022 format: holder key -> (item key, allowed values).
LIST_ENUMERATIONS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    MARCHE: {
        "techniques": (
            "technique",
            (
                "Accord-cadre",
                "Concours",
                "Système de qualification",
                "Système d'acquisition dynamique",
                "Catalogue électronique",
                "Enchère électronique",
                "Sans objet",
            ),
        ),
        "modalitesExecution": (
            "modaliteExecution",
            ("Tranches", "Bons de commande", "Marchés subséquents", "Sans objet"),
        ),
        "typesPrix": (
            "typePrix",
            (
                "Définitif ferme",
                "Définitif actualisable",
                "Définitif révisable",
                "Provisoire",
            ),
        ),
        "considerationsSociales": (
            "considerationSociale",
            (
                "Clause sociale",
                "Critère social",
                "Marché réservé",
                "Pas de considération sociale",
            ),
        ),
        "considerationsEnvironnementales": (
            "considerationEnvironnementale",
            (
                "Clause environnementale",
                "Critère environnemental",
                "Pas de considération environnementale",
            ),
        ),
    },
    CONCESSION: {
        "considerationsSociales": (
            "considerationSociale",
            (
                "Clause sociale",
                "Critère social",
                "Concession réservée",
                "Pas de considération sociale",
            ),
        ),
        "considerationsEnvironnementales": (
            "considerationEnvironnementale",
            (
                "Clause environnementale",
                "Critère environnemental",
                "Pas de considération environnementale",
            ),
        ),
    },
}

# Misspellings seen in the consolidated files (decp-processing, clean.py),
# compared without accents or case.
ALIASES = {
    "nature": {
        "marche": "Marché",
        "subsequent": "Marché subséquent",
        "marche subsequent": "Marché subséquent",
        "accord cadre": "Accord-cadre",
        "accord-cadre": "Accord-cadre",
        "dsp": "Délégation de service public",
    },
}

# Leaf types, by key (the same key has the same type everywhere it occurs).
INTEGER_KEYS = frozenset({"dureeMois", "offresRecues"})
# "id" is an integer inside these objects of the 2022 format only.
INTEGER_ID_PARENTS = frozenset(
    {"modification", "acteSousTraitance", "modificationActeSousTraitance"}
)
NUMBER_KEYS = frozenset(
    {
        "montant",
        "valeurGlobale",
        "montantSubventionPublique",
        "depensesInvestissement",
        "tauxAvance",
        "origineUE",
        "origineFrance",
    }
)
# "tarif" is a number inside a tarif object, an object inside "tarifs".
BOOLEAN_KEYS = frozenset(
    {"marcheInnovant", "attributionAvance", "sousTraitanceDeclaree"}
)
DATE_KEYS = frozenset(
    {
        "dateNotification",
        "datePublicationDonnees",
        "dateSignature",
        "dateDebutExecution",
        "dateNotificationModification",
        "datePublicationDonneesModification",
        "dateSignatureModification",
        "datePublicationDonneesExecution",
        "dateNotificationModificationSousTraitance",
    }
)
# Dates that cannot lie in the future: the contract and its changes are
# notified or signed, and their data published, before anyone reads them.
# (An execution may well start later.)
PAST_DATE_KEYS = DATE_KEYS - {"dateDebutExecution"}

# Lists of the XML-derived 2022 layout: each item is wrapped in an object of
# one key (``"titulaires": [{"titulaire": {...}}]``).
WRAPPED_LISTS_2022 = {
    "titulaires": "titulaire",
    "concessionnaires": "concessionnaire",
    "modifications": "modification",
    "actesSousTraitance": "acteSousTraitance",
    "modificationsActesSousTraitance": "modificationActeSousTraitance",
    "donneesExecution": "donneesAnnuelles",
    "tarifs": "tarif",
}
# Lists of values held in an object of one key
# (``"techniques": {"technique": [...]}``).
VALUE_LISTS_2022 = {
    "techniques": "technique",
    "modalitesExecution": "modaliteExecution",
    "typesPrix": "typePrix",
    "considerationsSociales": "considerationSociale",
    "considerationsEnvironnementales": "considerationEnvironnementale",
}
# Lists of the 2019 layout: plain arrays of objects (XML wraps each item).
LISTS_2019 = {
    "titulaires": "titulaire",
    "concessionnaires": "concessionnaire",
    "modifications": "modification",
    "donneesExecution": "donneesAnnuelles",
    "tarifs": "tarif",
}

# Keys only the 2022 format has: an XML record with one of them is a 2022 one.
ONLY_2022 = frozenset(
    {
        "techniques",
        "modalitesExecution",
        "marcheInnovant",
        "ccag",
        "offresRecues",
        "attributionAvance",
        "typeGroupementOperateurs",
        "sousTraitanceDeclaree",
        "typesPrix",
        "considerationsSociales",
        "considerationsEnvironnementales",
    }
)

# Top-level keys of each format (the 2022 schema allows no other key).
PROPERTIES: dict[tuple[str, str], tuple[str, ...]] = {
    (V2019, MARCHE): (
        "id",
        "uid",
        "_type",
        "acheteur",
        "nature",
        "objet",
        "codeCPV",
        "procedure",
        "lieuExecution",
        "dureeMois",
        "dateNotification",
        "datePublicationDonnees",
        "montant",
        "formePrix",
        "titulaires",
        "modifications",
    ),
    (V2019, CONCESSION): (
        "id",
        "uid",
        "_type",
        "autoriteConcedante",
        "nature",
        "objet",
        "procedure",
        "lieuExecution",
        "dureeMois",
        "dateSignature",
        "datePublicationDonnees",
        "dateDebutExecution",
        "valeurGlobale",
        "montantSubventionPublique",
        "donneesExecution",
        "concessionnaires",
        "modifications",
    ),
    (V2022, MARCHE): (
        "id",
        "acheteur",
        "nature",
        "objet",
        "codeCPV",
        "techniques",
        "modalitesExecution",
        "idAccordCadre",
        "marcheInnovant",
        "ccag",
        "offresRecues",
        "attributionAvance",
        "tauxAvance",
        "typeGroupementOperateurs",
        "sousTraitanceDeclaree",
        "actesSousTraitance",
        "procedure",
        "lieuExecution",
        "dureeMois",
        "dateNotification",
        "datePublicationDonnees",
        "montant",
        "typesPrix",
        "formePrix",
        "origineUE",
        "origineFrance",
        "titulaires",
        "considerationsSociales",
        "considerationsEnvironnementales",
        "modificationsActesSousTraitance",
        "modifications",
    ),
    (V2022, CONCESSION): (
        "id",
        "autoriteConcedante",
        "nature",
        "objet",
        "procedure",
        "dureeMois",
        "dateSignature",
        "datePublicationDonnees",
        "dateDebutExecution",
        "valeurGlobale",
        "montantSubventionPublique",
        "donneesExecution",
        "concessionnaires",
        "considerationsSociales",
        "considerationsEnvironnementales",
        "modifications",
    ),
}


# A DECP date: both formats write dates so (perhaps with a time and a time
# zone); the cleaning mends the others (decp/cleaning.py).
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+)?([+-]\d{2}:\d{2}Z?|Z)?$"
)


def parse_date(value: Any) -> dt.date | None:
    """The date a DECP date string means (its time zone ignored), or None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
