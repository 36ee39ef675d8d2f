"""The conversion's findings in words, in the reader's language (French
first): why a schema is proposed, why a value could not be converted, what
each kind of change is, what stops a conversion."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk


def change_label(kind: str) -> str:
    return {
        "trimmed": tk._("Spaces removed around or inside a value"),
        "date": tk._("Dates written as YYYY-MM-DD"),
        "number": tk._("Numbers written with a dot, without spaces or units"),
        "boolean": tk._("Yes/no values written as the schema's"),
        "identifier": tk._("SIRET, SIREN, RNA or INSEE codes without spaces"),
        "enum": tk._("Values matched to the schema's list"),
        "organization": tk._("Cells filled from the organization"),
        "fixed": tk._("Cells filled with the value given for every row"),
        "empty_row": tk._("Empty rows left out"),
    }.get(kind, kind)


def visible_spaces(text: str) -> str:
    """The spaces a trimming removed, made visible (␣): at the ends, doubled,
    non-breaking."""

    def mark(match: re.Match[str]) -> str:
        return "␣" * len(match.group(0))

    return re.sub(r"^\s+|\s+$|\s{2,}|[^\S ]", mark, text)


def problem_message(problem: dict[str, Any]) -> str:
    """Why a value could not be converted, with its row and column."""
    why = {
        "date": tk._("it is not a date the portal can read (e.g. 03/12/2025)"),
        "number": tk._("it is not a number"),
        "integer": tk._("it is not a whole number"),
        "boolean": tk._("it is neither yes nor no"),
        "enum": tk._("it matches none of the values the schema allows"),
        "identifier": tk._("it is not a valid identifier (SIRET: 14 digits)"),
        "year": tk._("it is not a year (4 digits)"),
    }.get(problem.get("reason") or "", tk._("it cannot be converted"))
    return tk._(
        'Row {row}, column "{column}" (field {field}): "{value}" was left as it '
        "is: {why}."
    ).format(
        row=problem.get("row"),
        column=problem.get("column"),
        field=problem.get("field"),
        value=problem.get("value"),
        why=why,
    )


def recognition_reason(candidate: dict[str, Any], columns: int) -> str:
    matched = candidate.get("matched") or []
    shown = ", ".join(
        tk._('"{column}" → {field}').format(column=column, field=field)
        for column, field in matched[:4]
    )
    text = tk._(
        "{found} of the {columns} columns of the file match fields of this schema"
    ).format(found=len(matched), columns=columns)
    if shown:
        text += f" ({shown}{', …' if len(matched) > 4 else ''})"
    text += ". " + tk._(
        "{required} of its {total} required fields are found; the content of "
        "{checked} columns has the expected type or values."
    ).format(
        required=candidate.get("required_found"),
        total=candidate.get("required"),
        checked=candidate.get("content_checked"),
    )
    return text


def proposal_reason(reason: dict[str, Any] | None) -> str:
    if not reason:
        return ""
    why = {
        "name": tk._("same name"),
        "synonym": tk._("a name town halls use for this field"),
        "title": tk._("close to the field's title"),
    }.get(reason.get("why") or "", "")
    if reason.get("fit") is not None and reason["fit"] >= 0.8:
        why += tk._(", content of the expected type")
    return why


def error_message(reason: str, detail: str = "") -> str:
    return {
        "format": tk._("Send a CSV, XLSX (Excel) or ODS (LibreOffice) file."),
        "empty": tk._(
            "The file has no header row: its first row must name the columns."
        ),
        "broken": tk._(
            "The file cannot be read: is it really a spreadsheet? "
            "Open it and save it again as XLSX or ODS."
        ),
        "too_large": tk._("The file is larger than {mb} MB.").format(mb=detail),
        "no_file": tk._("Choose a file, or a file of this dataset."),
        "unreadable": tk._("The file of this resource cannot be read."),
        "schema": tk._("Unknown schema: {schema}.").format(schema=detail),
        "not_converted": tk._("Convert the file before publishing it."),
    }.get(reason, reason)
