"""`ckan territoire usage ...`: the retention of the usage counts and the
demo's seeded usage."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.usage import figures


@territoire.group(short_help="Usage figures: purge, seed-demo.")
def usage() -> None:
    """Usage figures of the catalogue."""


@usage.command(short_help="Delete the usage counts older than the retention.")
def purge() -> None:
    """Delete the daily usage counts older than
    ckanext.territoire.usage_retention_months (run it monthly)."""
    months = int(tk.config.get("ckanext.territoire.usage_retention_months"))
    deleted = figures.purge(months)
    click.echo(
        tk._("{count} daily counts older than {months} months deleted.").format(
            count=deleted, months=months
        )
    )
