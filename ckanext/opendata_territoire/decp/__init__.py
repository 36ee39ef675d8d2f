"""DECP (données essentielles de la commande publique): streamed readers of
the 2019 JSON, 2022 JSON and XML formats, one contract model, cleaning rules
for the defects of the real files, deduplication, a buyer filter, a report,
and writers for DECP JSON and CSV.

A plain Python library: nothing here needs CKAN. Publishing the contracts in
the catalogue is in :mod:`ckanext.opendata_territoire.decp.publish`.
"""

from __future__ import annotations

from ckanext.opendata_territoire.decp.cleaning import (
    REJECTIONS,
    RULES,
    Issue,
    Rejected,
    clean,
)
from ckanext.opendata_territoire.decp.formats import (
    CONCESSION,
    JSON_2019,
    JSON_2022,
    MARCHE,
    V2019,
    V2022,
    XML,
)
from ckanext.opendata_territoire.decp.model import COLUMNS, Contract, contract_from
from ckanext.opendata_territoire.decp.pipeline import (
    BuyerError,
    BuyerFilter,
    Report,
    group_by_siren,
    latest_versions,
    read_contracts,
)
from ckanext.opendata_territoire.decp.readers import (
    DecpReadError,
    detect_format,
    read_records,
)
from ckanext.opendata_territoire.decp.writers import write_csv, write_json

__all__ = [
    "COLUMNS",
    "CONCESSION",
    "JSON_2019",
    "JSON_2022",
    "MARCHE",
    "REJECTIONS",
    "RULES",
    "V2019",
    "V2022",
    "XML",
    "BuyerError",
    "BuyerFilter",
    "Contract",
    "DecpReadError",
    "Issue",
    "Rejected",
    "Report",
    "clean",
    "contract_from",
    "detect_format",
    "group_by_siren",
    "latest_versions",
    "read_contracts",
    "read_records",
    "write_csv",
    "write_json",
]
