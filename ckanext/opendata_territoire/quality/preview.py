"""A table preview for every CSV file uploaded to the portal: the validation
job, which downloads the file anyway, loads it into the DataStore (every
column as text, its header as the column's label) and gives the file a data
table view. Reusers then see and query the rows (datastore_search) as for
the contracts tables. Only a whole file is loaded (not one cut at
``ckanext.territoire.validation_max_mb``); a file changed is loaded again; a
file that is no longer an upload loses the table it had. Nothing of a
linked file is loaded: its content is its publisher's, served from their
site."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.quality import content

log = logging.getLogger(__name__)

MARK = "territoire_preview"  # resource extra: the content loaded
BATCH = 5000
MAX_ID = 60


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": site_user, "ignore_auth": True}


def column_ids(header: list[str]) -> list[str]:
    """DataStore column names for a file's header: not empty, unique, not
    starting with "_", at most 60 characters (the header stays the label)."""
    ids: list[str] = []
    for number, name in enumerate(header, start=1):
        text = re.sub(r"\s+", " ", str(name)).strip().lstrip("_")[:MAX_ID]
        text = text.replace('"', "'") or f"colonne_{number}"
        candidate, suffix = text, 2
        while candidate in ids:
            candidate = f"{text[: MAX_ID - 4]}_{suffix}"
            suffix += 1
        ids.append(candidate)
    return ids


def _rows(path: str, encoding: str, separator: str) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
              errors="replace", newline="") as f:  # fmt: skip
        yield from csv.reader(f, delimiter=separator)


def load(resource: model.Resource, path: str, head: bytes, key: str) -> int | None:
    """Loads the uploaded CSV file at ``path`` into the DataStore (again
    when its content ``key`` changed); returns the rows loaded, None when
    nothing was done."""
    if (resource.extras or {}).get(MARK) == key and resource.extras.get(
        "datastore_active"
    ):
        return None
    text, encoding = content.decode(head)
    separator = content.delimiter(text.splitlines()[0] if text else "")
    rows = _rows(path, encoding, separator)
    header = next(rows, None)
    if not header:
        return None
    ids = column_ids(header)
    context = _context()
    if resource.extras.get("datastore_active"):
        tk.get_action("datastore_delete")(
            dict(context), {"resource_id": resource.id, "force": True}
        )
    fields = [
        {"id": column, "type": "text", "info": {"label": label.strip()}}
        for column, label in zip(ids, header, strict=True)
    ]
    tk.get_action("datastore_create")(
        dict(context), {"resource_id": resource.id, "fields": fields, "force": True}
    )
    count, batch = 0, []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        batch.append(dict(zip(ids, (row + [""] * len(ids))[: len(ids)], strict=True)))
        if len(batch) >= BATCH:
            _insert(context, resource.id, batch)
            count, batch = count + len(batch), []
    if batch:
        _insert(context, resource.id, batch)
        count += len(batch)
    tk.get_action("resource_patch")(dict(context), {"id": resource.id, MARK: key})
    shown = tk.get_action("resource_show")(dict(context), {"id": resource.id})
    if not tk.get_action("resource_view_list")(dict(context), {"id": resource.id}):
        tk.get_action("resource_create_default_resource_views")(
            dict(context), {"resource": shown, "create_datastore_views": True}
        )
    return count


def _insert(context: dict[str, Any], resource_id: str, records: list[dict]) -> None:
    tk.get_action("datastore_upsert")(
        dict(context),
        {"resource_id": resource_id, "records": records, "method": "insert",
         "force": True},
    )  # fmt: skip


def forget(resource: model.Resource) -> None:
    """A file no longer uploaded here loses the table loaded from it."""
    if not (resource.extras or {}).get(MARK):
        return
    context = _context()
    if resource.extras.get("datastore_active"):
        tk.get_action("datastore_delete")(
            dict(context), {"resource_id": resource.id, "force": True}
        )
    tk.get_action("resource_patch")(dict(context), {"id": resource.id, MARK: ""})
