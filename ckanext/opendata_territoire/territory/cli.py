"""`ckan territoire init`: the EPCI and its member communes as organizations.

The messages are gettext strings: the command speaks the portal's default
language (ckan.locale_default, French here). ``--json`` prints the summary as
JSON only, for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.territory import geometry
from ckanext.opendata_territoire.territory.organizations import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Change,
    Summary,
    init_territory,
)
from ckanext.opendata_territoire.territory.reference import (
    TerritoryError,
    check_siren,
    get_reference,
)


def _label(change: Change, dry_run: bool) -> str:
    if change.outcome == CREATED:
        return (
            tk._("organization to create") if dry_run else tk._("organization created")
        )
    if change.outcome == UPDATED:
        return (
            tk._("organization to update") if dry_run else tk._("organization updated")
        )
    if change.outcome == UNCHANGED:
        return tk._("organization unchanged")
    return tk._("no longer a member according to the reference data (left as is)")


def _outcome(change: Change, dry_run: bool) -> str:
    """The label, with the changed fields of an update."""
    label = _label(change, dry_run)
    if change.outcome != UPDATED:
        return label
    details = ", ".join(
        f"{key} {_shown(before)} → {_shown(after)}"
        for key, (before, after) in change.changes.items()
    )
    return tk._("{label}: {details}").format(label=label, details=details)


def _shown(value: Any) -> str:
    return "∅" if value in (None, "") else str(value)


def _progress(dry_run: bool) -> Callable[[int, int, Change], None]:
    def show(number: int, total: int, change: Change) -> None:
        click.echo(f"  [{number}/{total}] {change.title} — {_label(change, dry_run)}")

    return show


def _table(summary: Summary) -> list[str]:
    header = (
        tk._("Organization"),
        tk._("Type"),
        tk._("INSEE"),
        tk._("SIREN"),
        tk._("Result"),
    )
    rows = [
        (
            f"{c.title} ({c.name})",
            c.collectivite_type,
            c.insee_code or "",
            c.siren,
            _outcome(c, summary.dry_run),
        )
        for c in summary.changes + summary.not_members
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[4]]).rstrip()

    return [line(header), *(line(row) for row in rows)]


def summary_line(summary: Summary) -> str:
    """One line: the EPCI and how many organizations were created, updated,
    left unchanged."""
    if summary.dry_run:
        text = tk._(
            "Dry run, nothing written. {epci}: {total} organizations; to create: "
            "{created}, to update: {updated}, unchanged: {unchanged}."
        )
    else:
        text = tk._(
            "{epci}: {total} organizations; created: {created}, updated: "
            "{updated}, unchanged: {unchanged}."
        )
    return text.format(
        epci=summary.epci_name,
        total=len(summary.created) + len(summary.updated) + len(summary.unchanged),
        created=len(summary.created),
        updated=len(summary.updated),
        unchanged=len(summary.unchanged),
    )


def _fail(message: str) -> NoReturn:
    click.secho(tk._("Error: {message}").format(message=message), err=True, fg="red")
    raise SystemExit(1)


@territoire.command("init")
@click.option(
    "--epci",
    "epci_siren",
    required=True,
    metavar="SIREN",
    help="SIREN of the EPCI (9 digits), eg. 243801024 for the CCMV.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON only.")
@click.option(
    "--user",
    "user",
    default=None,
    metavar="NAME",
    help="Sysadmin to write the organizations as (default: the site user).",
)
@click.pass_context
def init(
    ctx: click.Context,
    epci_siren: str,
    dry_run: bool,
    as_json: bool,
    user: str | None,
) -> None:
    """Create or update the organizations of the EPCI and of its member
    communes from the territory reference data (idempotent: a second run
    changes nothing). Exit code 1, with a message, for an unknown SIREN or
    missing reference data."""
    with ctx.meta["flask_app"].test_request_context():
        try:
            siren = check_siren(epci_siren)
            reference = get_reference()
            epci = reference.epci(siren)
            if not as_json:
                click.echo(
                    tk._(
                        "EPCI {siren}: {name}, {count} member communes (reference "
                        "data: {source})."
                    ).format(
                        siren=siren,
                        name=epci.name,
                        count=len(epci.members),
                        source=reference.description,
                    )
                )
            summary = init_territory(
                siren,
                dry_run=dry_run,
                user=user,
                reference=reference,
                progress=None if as_json else _progress(dry_run),
            )
        except TerritoryError as error:
            _fail(str(error))
        except tk.ValidationError as error:
            _fail(
                tk._("the catalogue refused an organization: {errors}").format(
                    errors=error.error_dict
                )
            )
        if as_json:
            click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        click.echo("")
        for text in _table(summary):
            click.echo(text)
        click.echo("")
        if summary.not_members:
            click.echo(
                tk._(
                    "{count} organization(s) name this EPCI as theirs but are no "
                    "longer among its members in the reference data: left as they "
                    "are, check them."
                ).format(count=len(summary.not_members))
            )
        click.echo(summary_line(summary))


@territoire.group("geometry")
def geometry_group() -> None:
    """The communes' bounding boxes the catalogue gives as spatial coverage."""


@geometry_group.command("build")
@click.argument(
    "sources",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The gzipped CSV to write (name it in ckanext.territoire.geometry_file).",
)
def geometry_build(sources: tuple[Path, ...], output: Path) -> None:
    """Write the bounding box of every commune of the GeoJSON files SOURCES
    (communes' contours in WGS 84: ADMIN EXPRESS COG, geo.api.gouv.fr's
    /communes?format=geojson&geometry=contour) to OUTPUT."""
    try:
        count = geometry.build(sources, output)
    except (OSError, ValueError) as error:
        _fail(tk._("Cannot build the geometry file: {error}").format(error=error))
    click.echo(
        tk._("{count} communes written to {path}.").format(count=count, path=output)
    )
