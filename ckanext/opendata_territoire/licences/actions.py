"""Action of the licence chooser (registered with @registry.action)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.licences import recommendation


@registry.action
@tk.side_effect_free
def territoire_licence_recommend(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The licence to choose for a dataset, from a few plain answers, with
    the reasons and their legal references.

    Every parameter is optional (its default in brackets):

    :param fee: will reusers pay a fee (redevance)? ``no``, ``yes`` [no]
    :param third_party: does the data include content others hold rights
        on? ``no``, ``share-alike`` (under a share-alike licence),
        ``attribution`` (under a licence asking only to name the source),
        ``unknown`` (terms unknown) [no]
    :param share_alike: must reusers share their improvements under the same
        terms? ``unsure``, ``yes``, ``no`` [unsure]
    :param database: is it a database others will enrich? ``no``, ``yes`` [no]
    :returns: ``{"licence": {"id", "title", "short_title", "url", "uri",
        "homologated", "legal_reference", "share_alike", "attribution",
        "allows_fee", ...} or null, "rule", "reasons": [{"reason",
        "reference"}], "answers"}``
    """
    tk.check_access("territoire_licence_recommend", context, data_dict)
    answers = recommendation.checked_answers(dict(data_dict))
    return recommendation.recommend(answers)
