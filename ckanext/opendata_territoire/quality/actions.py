"""Quality actions: the score of a dataset (gathered by logic/action.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.quality import measure

# Texts of criteria.yaml are msgids: translated where they are shown.
translate = tk._

__all__ = ["territoire_quality_show"]


def _dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    dataset_id = data_dict.get("id")
    if not dataset_id:
        raise tk.ValidationError(
            {"id": [tk._("Missing value: give the id or name of a dataset.")]}
        )
    return tk.get_action("package_show")(dict(context), {"id": dataset_id})


@tk.side_effect_free
def territoire_quality_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The quality score of a dataset, with every criterion, whether the
    dataset meets it and how to meet it.

    The score is the percentage of the applicable criteria met; a criterion
    that does not apply to the dataset (``met`` is null) does not count.

    :param id: id or name of the dataset
    :returns: ``{"dataset", "score", "level" ("high", "medium", "low"),
        "met", "applicable", "criteria": [{"id", "label", "description"
        (how to meet it), "met", "facts"}]}``
    """
    tk.check_access("territoire_quality_show", context, data_dict)
    dataset = _dataset(context, data_dict)
    quality = measure.quality_of(dataset)
    return {
        "dataset": dataset["name"],
        **quality,
        "criteria": [
            {
                **criterion,
                "label": translate(criterion["label"]),
                "description": translate(criterion["description"]),
            }
            for criterion in quality["criteria"]
        ],
    }
