"""`ckan territoire future ...`: the forecast of planned purchases published
again (`publish`) and the demo's forecast (`seed-demo`)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click
from ckan import model

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.future import demo, publication
from ckanext.opendata_territoire.future.model import ForecastEntry


@territoire.group(short_help="The contracts to come: forecast publish, seed-demo.")
def future() -> None:
    """The contracts to come and the forecast of planned purchases."""


@future.command("publish", short_help="Publish the forecast datasets again.")
@click.argument("organization", required=False)
@click.pass_context
def publish_command(ctx: click.Context, organization: str | None) -> None:
    """Writes again the "Achats prévus" dataset of ORGANIZATION (name or
    id), or of every organization with planned purchases."""
    with ctx.meta["flask_app"].test_request_context():
        if organization:
            org = model.Group.get(organization)
            if org is None or not org.is_organization:
                click.secho(
                    tk._("No organization named {name}.").format(name=organization),
                    err=True,
                    fg="red",
                )
                raise SystemExit(1)
            ids = [org.id]
        else:
            ids = sorted(
                {row[0] for row in model.Session.query(ForecastEntry.organization_id)}
            )
        failed = [org_id for org_id in ids if not publication.publish_safely(org_id)]
        click.echo(
            tk._("Forecast published for {count} organization(s).").format(
                count=len(ids) - len(failed)
            )
        )
        if failed:
            raise SystemExit(1)


@future.command("seed-demo", short_help="A small forecast for the demo portal.")
@click.option(
    "--epci",
    "epci_siren",
    default=None,
    metavar="SIREN",
    help="SIREN of the EPCI (default: ckanext.territoire.epci_siren).",
)
@click.pass_context
def seed_demo(ctx: click.Context, epci_siren: str | None) -> None:
    """Planned purchases of the EPCI and of three member communes, several
    of them works, in the coming quarters, published. For the demo only."""
    siren = epci_siren or str(tk.config.get("ckanext.territoire.epci_siren"))
    with ctx.meta["flask_app"].test_request_context():
        try:
            added = demo.seed(siren)
        except demo.DemoError as error:
            click.secho(
                tk._("Error: {message}").format(message=error), err=True, fg="red"
            )
            raise SystemExit(1) from None
        click.echo(
            tk._("Demo forecast: {count} planned purchase(s) added.").format(
                count=added
            )
        )
