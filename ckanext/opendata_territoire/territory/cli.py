"""`ckan territoire init`: the EPCI and its member communes as organizations."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.territory.organizations import Summary, init_territory
from ckanext.opendata_territoire.territory.reference import (
    TerritoryError,
    get_reference,
)


def _print_summary(summary: Summary, dry_run: bool) -> None:
    click.echo(
        f"Territory: {summary.epci}"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    for label, changes, detailed in (
        ("to create" if dry_run else "created", summary.created, True),
        ("to update" if dry_run else "updated", summary.updated, True),
        ("unchanged", summary.unchanged, False),
    ):
        click.echo(f"  {len(changes)} organization(s) {label}")
        for change in changes:
            details = ", ".join(f"{k}={v}" for k, v in change.fields.items())
            suffix = f": {details}" if detailed and details else ""
            click.echo(f"    - {change.title} ({change.name}){suffix}")


@territoire.command("init")
@click.option(
    "--epci", "epci_siren", required=True, help="SIREN of the EPCI (9 digits)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def init(epci_siren: str, dry_run: bool, as_json: bool) -> None:
    """Create or update the organizations of the EPCI and its member communes
    from the territory reference data (idempotent)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    if not as_json:
        click.echo(f"Reading the reference data for EPCI {epci_siren}...")
    try:
        summary = init_territory(get_reference(), epci_siren, context, dry_run)
    except TerritoryError as error:
        raise click.ClickException(str(error)) from None
    except tk.ValidationError as error:
        raise click.ClickException(
            f"An organization was refused: {error.error_dict}"
        ) from None
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary, dry_run)
