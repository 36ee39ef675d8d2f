"""The personal-data guard as a dataset validator: a private dataset cannot
be made public while one of its files holds personal data that no editor
confirmed (schemas/dataset.yaml, after_validators)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import missing

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.quality import publication


def blocked_message(labels: list[str]) -> str:
    return tk._(
        "This dataset cannot be made public: personal data was found in "
        '"{files}" and no editor has confirmed it may be published. Remove it '
        "from the file, or confirm on the file's page why it may be published."
    ).format(files='", "'.join(labels))


@registry.validator
def territoire_personal_data_guard(
    key: Any, data: dict, errors: dict, context: dict
) -> None:
    package_id = data.get(("id",))
    private = data.get(("private",), missing)
    if not package_id or package_id is missing or private is missing:
        return
    package = model.Package.get(package_id)
    # Only the step from private to public is a publication; a public
    # dataset whose new file is blocked is made private after the save.
    if package is None or not package.private or tk.asbool(private):
        return
    resource_ids = [
        value
        for flat_key, value in data.items()
        if len(flat_key) == 3
        and flat_key[0] == "resources"
        and flat_key[2] == "id"
        and value
        and value is not missing
    ]
    blocked = publication.blocking(resource_ids)
    if blocked:
        errors.setdefault(("private",), []).append(
            blocked_message(publication.resource_labels(blocked))
        )
