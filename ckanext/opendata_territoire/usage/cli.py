"""`ckan territoire usage ...`: the retention of the usage counts and the
demo's seeded usage."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.usage import demo, figures


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


@usage.command("seed-demo", short_help="Made-up usage for the demo portal.")
@click.option(
    "--epci",
    "epci_siren",
    default=None,
    metavar="SIREN",
    help="SIREN of the EPCI (default: ckanext.territoire.epci_siren).",
)
@click.option("--weeks", default=26, show_default=True, help="Weeks of counts.")
@click.pass_context
def seed_demo(ctx: click.Context, epci_siren: str | None, weeks: int) -> None:
    """Public demo datasets in two member communes and the EPCI, made-up
    daily counts, a published reuse, one waiting for a decision and an
    answered question: the publisher's view then has something to show. For
    the demo only: never on a real portal."""
    siren = epci_siren or str(tk.config.get("ckanext.territoire.epci_siren"))
    with ctx.meta["flask_app"].test_request_context():
        try:
            done = demo.seed(siren, weeks)
        except demo.DemoError as error:
            click.secho(
                tk._("Error: {message}").format(message=error), err=True, fg="red"
            )
            raise SystemExit(1) from None
        click.echo(
            tk._(
                "Demo usage: {datasets} datasets, {counts} daily counts, "
                "{reuses} reuses created; see /organization/{epci}/usage."
            ).format(**done)
        )
