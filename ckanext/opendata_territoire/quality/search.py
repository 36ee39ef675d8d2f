"""The quality score in the search index: a facet by level and a sort by
score."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.quality import measure

# CKAN's Solr schema has no numeric dynamic field: the score is indexed as a
# zero-padded string ("007", "100"), which sorts in numeric order.
SCORE_FIELD = "quality_score"
LEVEL_FIELD = "quality_level"
SORT_BY_SCORE = f"{SCORE_FIELD} desc, metadata_modified desc"


def index_quality(pkg_dict: dict[str, Any]) -> None:
    """Add the score and its level to a dataset's search document."""
    dataset = json.loads(pkg_dict["validated_data_dict"])
    quality = measure.quality_of(dataset)
    pkg_dict[SCORE_FIELD] = f"{quality['score']:03d}"
    pkg_dict[LEVEL_FIELD] = quality["level"]


def facet_titles() -> dict[str, str]:
    return {LEVEL_FIELD: tk._("Quality score")}


def level_labels() -> dict[str, str]:
    return {
        "high": tk._("80 % or more"),
        "medium": tk._("50 to 79 %"),
        "low": tk._("Less than 50 %"),
    }


def label_facet_items(search_facets: dict[str, Any]) -> None:
    labels = level_labels()
    for item in search_facets.get(LEVEL_FIELD, {}).get("items", []):
        if item["name"] in labels:
            item["display_name"] = labels[item["name"]]
