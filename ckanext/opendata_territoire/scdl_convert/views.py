"""The pages of "Mettre au format national": the file sent (or a file of
the dataset chosen), the schema and the column mapping, the result
(progress of a background conversion, then the preview, the changes, the
values not converted, the validation report and what the personal-data
guard found), and the publication."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, Response

from ckanext.opendata_territoire.quality import validation
from ckanext.opendata_territoire.scdl_convert import (
    actions,
    mapping,
    schemas,
    words,
    work,
)
from ckanext.opendata_territoire.scdl_convert.model import Conversion, remembered_for

blueprint = Blueprint("territoire_scdl", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _dataset_or_abort(id: str) -> dict[str, Any]:
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    if not tk.h.check_access("territoire_scdl_convert", {"id": dataset["id"]}):
        return tk.abort(403, tk._("Only the editors of this dataset can do this."))
    return dataset


def _conversion_or_abort(dataset: dict[str, Any], conversion_id: str) -> Conversion:
    conversion = model.Session.get(Conversion, conversion_id)
    if conversion is None or conversion.package_id != dataset["id"]:
        return tk.abort(404, tk._("Conversion not found"))
    return conversion


def _page(template: str, dataset: dict[str, Any], **extra: Any) -> str:
    return tk.render(
        template,
        {"pkg": dataset, "pkg_dict": dataset, "dataset_type": dataset["type"], **extra},
    )


def _after_choice(dataset: dict[str, Any], conversion: Conversion) -> Any:
    """Convert now, or queue the job, and show the result."""
    if work.in_background(conversion):
        work.queue(conversion)
    else:
        work.run(conversion)
    return tk.redirect_to(
        "territoire_scdl.result", id=dataset["name"], conversion_id=conversion.id
    )


@blueprint.route("/dataset/<id>/scdl", methods=["GET", "POST"])
def start(id: str) -> Any:
    """Send a file, or choose one of the dataset's."""
    dataset = _dataset_or_abort(id)
    error = None
    if tk.request.method == "POST":
        upload = tk.request.files.get("upload")
        resource_id = tk.request.form.get("resource_id") or None
        has_file = upload is not None and bool(upload.filename)
        try:
            conversion = work.start(
                dataset["id"],
                tk.current_user.id if tk.current_user else None,
                upload.filename if has_file and upload else "",
                stream=upload.stream if has_file and upload else None,
                resource_id=None if has_file else resource_id,
            )
        except work.ConversionError as failure:
            error = words.error_message(failure.reason, failure.detail)
        else:
            if conversion.mapping_source == "remembered":
                # Next month's file: one step, with the mapping remembered.
                return _after_choice(dataset, conversion)
            return tk.redirect_to(
                "territoire_scdl.mapping_page",
                id=dataset["name"],
                conversion_id=conversion.id,
            )
    kept = [
        {
            "schema": schemas.get(m.schema_name),
            "updated": m.updated,
            "columns": len((m.mapping or {}).get("columns") or {}),
        }
        for m in remembered_for(dataset["id"])
    ]
    return _page(
        "scdl_convert/start.html",
        dataset,
        error=error,
        remembered=kept,
        files=[
            r for r in dataset.get("resources", []) if r.get("url_type") == "upload"
        ],
    )


def _mapping_from_form(conversion: Conversion) -> dict[str, Any]:
    schema = schemas.get(str(conversion.schema_name))
    assert schema is not None
    columns, values = {}, {}
    for spec in schema.descriptor.get("fields", []):
        name = spec["name"]
        column = tk.request.form.get(f"column-{name}") or ""
        value = (tk.request.form.get(f"value-{name}") or "").strip()
        if column:
            columns[name] = column
        elif value:
            values[name] = value
    previous = (conversion.mapping or {}).get("organization") or []
    return {
        "columns": columns,
        "values": values,
        "organization": [n for n in previous if n in values],
    }


@blueprint.route("/dataset/<id>/scdl/<conversion_id>", methods=["GET", "POST"])
def mapping_page(id: str, conversion_id: str) -> Any:
    """The schema proposed with its reason, and each field's column."""
    dataset = _dataset_or_abort(id)
    conversion = _conversion_or_abort(dataset, conversion_id)
    if tk.request.method == "POST":
        table = work.header_and_sample(conversion)
        chosen = tk.request.form.get("schema") or conversion.schema_name
        if tk.request.form.get("step") == "schema" or chosen != conversion.schema_name:
            work.choose(conversion, table, chosen)
            model.Session.commit()
            return tk.redirect_to(
                "territoire_scdl.mapping_page",
                id=dataset["name"],
                conversion_id=conversion.id,
            )
        given = _mapping_from_form(conversion)
        work.choose(conversion, table, chosen, given)
        model.Session.commit()
        return _after_choice(dataset, conversion)
    described = actions.describe(conversion, with_csv=False)
    table = work.header_and_sample(conversion)
    schema = schemas.get(str(conversion.schema_name))
    assert schema is not None
    reasons = (conversion.mapping or {}).get("reasons") or {}
    fields = []
    for spec in schema.descriptor.get("fields", []):
        facts = mapping.field_facts(spec)
        name = spec["name"]
        column = (conversion.mapping or {}).get("columns", {}).get(name) or ""
        index = table.header.index(column) if column in table.header else None
        facts.update(
            column=column,
            value=(conversion.mapping or {}).get("values", {}).get(name) or "",
            from_organization=name
            in ((conversion.mapping or {}).get("organization") or []),
            why=words.proposal_reason(reasons.get(name)),
            samples=[row[index] for row in table.sample[:3] if index is not None],
        )
        fields.append(facts)
    return _page(
        "scdl_convert/mapping.html",
        dataset,
        conversion=described,
        header=table.header,
        fields=fields,
        schemas=list(schemas.available().values()),
        unmapped=described["unmapped"],
    )


@blueprint.route("/dataset/<id>/scdl/<conversion_id>/result")
def result(id: str, conversion_id: str) -> Any:
    """The progress of a background conversion, then its result."""
    dataset = _dataset_or_abort(id)
    conversion = _conversion_or_abort(dataset, conversion_id)
    described = actions.describe(conversion, with_csv=False)
    report = described.get("report") or {}
    checked = report.get("validation") or {}
    errors = [
        dict(zip(("problem", "fix"), validation.describe(entry), strict=True))
        for entry in checked.get("errors") or []
    ]
    for example in (report.get("examples") or {}).get("trimmed") or []:
        example["before"] = words.visible_spaces(example["before"])
    return _page(
        "scdl_convert/result.html",
        dataset,
        conversion=described,
        report=report,
        validation_errors=errors,
        change_labels={k: words.change_label(k) for k in report.get("changes") or {}},
        previous=_previous_resource(dataset, conversion),
    )


def _previous_resource(dataset: dict[str, Any], conversion: Conversion) -> Any:
    for kept in remembered_for(dataset["id"]):
        if kept.schema_name == conversion.schema_name and kept.resource_id:
            return next(
                (r for r in dataset["resources"] if r["id"] == kept.resource_id), None
            )
    return None


@blueprint.route("/dataset/<id>/scdl/<conversion_id>/converted.csv")
def converted_csv(id: str, conversion_id: str) -> Any:
    """The converted file, to look at before publishing it."""
    dataset = _dataset_or_abort(id)
    conversion = _conversion_or_abort(dataset, conversion_id)
    if not work.converted_path(conversion).exists():
        return tk.abort(404, tk._("The file is not converted yet."))
    return Response(
        work.csv_text(conversion),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="converted.csv"'},
    )


@blueprint.route("/dataset/<id>/scdl/<conversion_id>/publish", methods=["POST"])
def publish(id: str, conversion_id: str) -> Any:
    dataset = _dataset_or_abort(id)
    conversion = _conversion_or_abort(dataset, conversion_id)
    try:
        outcome = work.publish(
            conversion,
            _context(),
            keep_original=tk.request.form.get("keep_original") == "on",
            # An unticked box sends nothing: replace unless it was offered
            # and left unticked.
            replace=tk.request.form.get("replace") == "on"
            or not tk.request.form.get("replace_offered"),
        )
    except work.ConversionError as failure:
        tk.h.flash_error(words.error_message(failure.reason, failure.detail))
        return tk.redirect_to(
            "territoire_scdl.result", id=dataset["name"], conversion_id=conversion_id
        )
    tk.h.flash_success(
        tk._(
            "The file in the national format is published; its mapping is "
            "remembered for the next file of this dataset."
        )
    )
    if outcome["original_withheld"]:
        tk.h.flash_error(
            tk._(
                "The original file was not published: the personal-data guard "
                "found what looks like personal data in it."
            )
        )
    if outcome["blocked_by_guard"]:
        tk.h.flash_error(
            tk._(
                "The personal-data guard found what looks like personal data in "
                "the converted file: the dataset stays private until an editor "
                "checks it."
            )
        )
    return tk.redirect_to("dataset.read", id=dataset["name"])
