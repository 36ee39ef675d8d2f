"""What package_show says of a dataset's licence and reuse, besides CKAN's
``license_id`` and ``license_url``."""

from __future__ import annotations

from typing import Any

from ckanext.opendata_territoire.licences import mention, policy, register


def describe(dataset: dict[str, Any]) -> None:
    """Complete, in place, a dataset (not a harvest source, whose type is
    ``harvest``) with ``licence_status`` (see policy.licence_status) and
    ``reuse_mention`` (see mention.py), and give ``license_title`` in the
    language of the request: package_show often reads the dataset from the
    search index, where the title is the one of the language the dataset was
    indexed in."""
    if dataset.get("type", "dataset") != "dataset":
        return
    language = register.current_language()
    entry = register.licence(dataset.get("license_id"))
    if entry:
        dataset["license_title"] = entry.title_in(language)
    dataset["licence_status"] = policy.licence_status(dataset)
    dataset["reuse_mention"] = mention.reuse_mention(dataset, language)
