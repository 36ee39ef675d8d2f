"""Pages of the licences: /licences (the register and the chooser, a plain
GET form) and the chooser inside the dataset form. Neither needs JavaScript.

In the dataset form, the chooser's button posts the whole form; the answer is
the same form again, with what was typed, the recommendation shown and its
licence selected. Nothing is saved until the form's own button is pressed.
"""

from __future__ import annotations

from typing import Any

import ckan.lib.navl.dictization_functions as dict_fns
import ckan.plugins.toolkit as tk
from ckan.logic import clean_dict, parse_params, tuplize_dict
from flask import Blueprint

from ckanext.opendata_territoire.licences import recommendation, register

blueprint = Blueprint("territoire_licences", __name__)

# Names of the chooser's inputs in the dataset form, apart from the dataset's
# fields (CKAN ignores unknown keys when the form is saved).
FORM_PREFIX = "licence_question_"
FORM_BUTTON = "territoire_licence_recommend"
# Dataset types whose form carries the chooser (blueprints dataset.new/.edit).
DATASET_TYPES = ("dataset",)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _dataset_to_edit(name: str | None) -> dict[str, Any] | None:
    """The dataset named in the page's address, if the user may edit it."""
    if not name:
        return None
    try:
        tk.check_access("package_update", _context(), {"id": name})
        return tk.get_action("package_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


@blueprint.route("/licences")
def index() -> str:
    """The licence register and the chooser. Answers come as the query's
    parameters (``?fee=no&share_alike=yes``); ``dataset`` names the dataset
    whose form the result should lead back to."""
    ids = [question["id"] for question in recommendation.questions()]
    sent = {key: tk.request.args.get(key) for key in ids if key in tk.request.args}
    answers = recommendation.defaults()
    result = None
    errors: dict[str, list[str]] = {}
    if sent:
        try:
            answers = recommendation.checked_answers(sent)
            result = tk.get_action("territoire_licence_recommend")(_context(), answers)
        except tk.ValidationError as error:
            errors = error.error_dict
            answers = {**answers, **{k: str(v) for k, v in sent.items() if v}}
    language = register.current_language()
    return tk.render(
        "licences/index.html",
        {
            "questions": recommendation.questions(),
            "answers": answers,
            "errors": errors,
            "result": result,
            "dataset": _dataset_to_edit(tk.request.args.get("dataset")),
            "licences": [entry.as_dict(language) for entry in register.licences()],
            "descriptions": {e.id: e.description for e in register.licences()},
        },
    )


def _form_data() -> dict[str, Any]:
    """The dataset form as CKAN's views read it."""
    return clean_dict(dict_fns.unflatten(tuplize_dict(parse_params(tk.request.form))))


def _dataset_form_with_recommendation() -> Any:
    """The dataset form again, as sent, with the chooser's recommendation
    shown and its licence selected (the form is not saved)."""
    from ckan.views.dataset import CreateView, EditView

    data = _form_data()
    data.pop(FORM_BUTTON, None)
    sent = {
        key[len(FORM_PREFIX) :]: data.pop(key)
        for key in list(data)
        if key.startswith(FORM_PREFIX)
    }
    chooser: dict[str, Any] = {"answers": recommendation.defaults(), "errors": {}}
    try:
        chooser["answers"] = recommendation.checked_answers(sent)
        chooser["recommendation"] = recommendation.recommend(chooser["answers"])
    except tk.ValidationError as error:
        chooser["errors"] = error.error_dict
    tk.g.territoire_licence_chooser = chooser
    licence = (chooser.get("recommendation") or {}).get("licence")
    if licence:
        data["license_id"] = licence["id"]
    package_type = tk.request.view_args["package_type"]
    if tk.request.endpoint.endswith(".edit"):
        return EditView().get(package_type, tk.request.view_args["id"], data=data)
    # A draft created at an earlier step is named by pkg_name (CKAN's
    # CreateView.post does the same).
    if data.get("pkg_name"):
        data["id"] = data.pop("pkg_name")
    return CreateView().get(package_type, data=data)


@blueprint.before_app_request
def recommend_in_the_dataset_form() -> Any:
    """Answer the chooser's button of the dataset form (new or edit)."""
    request = tk.request
    if request.method != "POST" or FORM_BUTTON not in request.form:
        return None
    blueprint_name, _, view = (request.endpoint or "").partition(".")
    if blueprint_name not in DATASET_TYPES or view not in ("new", "edit"):
        return None
    return _dataset_form_with_recommendation()
