"""`ckan territoire schemas sync`: the shipped snapshot of the national
schemas (quality/schemas_snapshot/) refreshed from schema.data.gouv.fr: the
catalogue's SCDL Table Schemas, each at its latest version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.plugins.toolkit as tk
import click
import requests

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.quality import catalog

PREFIX = "scdl/"


@territoire.group(short_help="National schemas: sync the shipped snapshot.")
def schemas() -> None:
    """The national schemas (schema.data.gouv.fr) the files are validated
    against."""


def _get(url: str) -> Any:
    response = requests.get(
        url, timeout=tk.config.get("ckanext.territoire.fetch_timeout")
    )
    response.raise_for_status()
    return response.json()


@schemas.command("sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Fetch the catalogue's SCDL Table Schemas (latest versions) into the
    snapshot used when schema.data.gouv.fr cannot be reached."""
    # In the portal's language, as every command.
    with ctx.meta["flask_app"].test_request_context():
        _sync()


def _sync() -> None:
    url = catalog.catalog_url()
    click.echo(tk._("Reading the catalogue {url}...").format(url=url))
    try:
        found = [
            e
            for e in _get(url).get("schemas", [])
            if str(e.get("name", "")).startswith(PREFIX)
            and e.get("schema_type") == "tableschema"
        ]
    except (requests.RequestException, ValueError) as error:
        raise click.ClickException(
            tk._("The catalogue cannot be read: {error}").format(error=error)
        ) from error
    entries, files, fetched = [], {}, {}
    for number, entry in enumerate(found, start=1):
        versions = entry.get("versions") or []
        version = str(versions[-1].get("version_name")) if versions else "latest"
        schema_url = versions[-1].get("schema_url") if versions else entry["schema_url"]
        try:
            descriptor = _get(schema_url)
        except (requests.RequestException, ValueError) as error:
            raise click.ClickException(
                tk._(
                    "{name} {version}: the schema cannot be read ({error}); the "
                    "snapshot is left as it was."
                ).format(name=entry["name"], version=version, error=error)
            ) from error
        name = f"{entry['name'].replace('/', '-')}-{version}.json"
        fetched[name] = descriptor
        files[f"{entry['name']}@{version}"] = name
        entries.append(
            {
                "name": entry["name"],
                "title": entry.get("title") or entry["name"],
                "description": entry.get("description") or "",
                "schema_type": "tableschema",
                "schema_url": schema_url,
                "versions": [{"version_name": version, "schema_url": schema_url}],
                "homepage": entry.get("homepage"),
            }
        )
        click.echo(f"  [{number}/{len(found)}] {entry['name']} {version}")
    # Written once everything is read: a failure leaves the snapshot whole.
    for name, descriptor in fetched.items():
        (catalog.SNAPSHOT_DIR / name).write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    previous = catalog.snapshot()
    for stale in set(previous.get("files", {}).values()) - set(files.values()):
        (catalog.SNAPSHOT_DIR / stale).unlink(missing_ok=True)
    snapshot = {
        "taken": dt.date.today().isoformat(),
        "source": url,
        "files": files,
        "schemas": entries,
    }
    (catalog.SNAPSHOT_DIR / "catalog.json").write_text(
        json.dumps(snapshot, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    click.secho(
        tk._("{count} schemas in the snapshot ({date}).").format(
            count=len(entries), date=snapshot["taken"]
        ),
        fg="green",
    )


@schemas.command("seed-demo", short_help="The demo's deliberations with errors.")
@click.pass_context
def seed_demo(ctx: click.Context) -> None:
    """Publishes the demo's file of deliberations with errors (Villard-de-Lans)
    and validates it at once, against the shipped snapshot when
    schema.data.gouv.fr cannot be reached. For the demo only."""
    from ckanext.opendata_territoire.quality import demo

    with ctx.meta["flask_app"].test_request_context():
        try:
            done = demo.seed()
        except demo.DemoError as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            tk._("{dataset}: validation {status}, {errors} errors to correct.").format(
                **done
            )
        )
