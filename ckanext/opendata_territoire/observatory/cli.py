"""`ckan territoire suppliers refresh` (supplier locality) and `ckan
territoire observatory rebuild` (the awards table from the DataStore)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.decp import publish
from ckanext.opendata_territoire.observatory import contracts, demo, suppliers
from ckanext.opendata_territoire.observatory.sirene import Answer


@territoire.group("suppliers", short_help="Supplier locality: refresh.")
def suppliers_group() -> None:
    """Locality and size of the titulaires (register and SIRENE)."""


@suppliers_group.command(short_help="Register, then the SIRENE search service.")
@click.option(
    "--max-age-days",
    type=int,
    default=None,
    help="Ask again answers older than this (default: "
    "ckanext.territoire.sirene_max_age_days).",
)
@click.option("--limit", type=int, default=None, help="Ask at most this many SIRETs.")
@click.option(
    "--register-only", is_flag=True, help="Read the register; ask the service nothing."
)
def refresh(max_age_days: int | None, limit: int | None, register_only: bool) -> None:
    """Loads the EPCI's register of local firms, asks the SIRENE search
    service the titulaires' SIRETs it lacks (or whose answer is too old),
    then updates the observatory. Interrupted, it resumes where it stopped."""
    labels = {
        "found": tk._("found"),
        "not_found": tk._("not found"),
        "error": tk._("error"),
    }

    def progress(number: int, total: int, answer: Answer) -> None:
        where = answer.commune_name or answer.commune or ""
        line = f"[{number}/{total}] {answer.siret}: {labels[answer.status]}"
        if where:
            line += f" ({where})"
        if answer.error:
            line += f" ({answer.error})"
        click.echo(line)

    try:
        result = suppliers.refresh(
            max_age_days=max_age_days,
            limit=limit,
            progress=progress,
            ask_service=not register_only,
        )
    except suppliers.RegisterError as error:
        click.secho(
            tk._("Error: the register cannot be read: {error}").format(error=error),
            err=True,
            fg="red",
        )
        raise SystemExit(1) from error
    # The names now known, into the buyers' contracts tables and files.
    named = publish.name_published()
    if result.register is None:
        click.echo(tk._("No register of local firms in the catalogue."))
    else:
        click.echo(
            tk._("Register of local firms: {count} firms.").format(
                count=result.register
            )
        )
    click.echo(
        tk._(
            "SIRENE: {asked} asked, {found} found, {not_found} not found, "
            "{errors} errors (asked again next time); {remaining} left for "
            "the next run."
        ).format(
            asked=result.asked,
            found=result.found,
            not_found=result.not_found,
            errors=result.errors,
            remaining=result.remaining,
        )
    )
    click.echo(
        tk._("Titulaires' names written into {count} contracts.").format(count=named)
    )


@territoire.group(short_help="Procurement observatory: rebuild.")
def observatory() -> None:
    """The procurement observatory."""


@observatory.command(short_help="Copy the DataStore contracts into its table.")
def rebuild() -> None:
    """Copies every buyer's contracts from its DataStore table into the
    observatory's table (done per buyer after each import or harvest)."""
    counts = contracts.rebuild()
    click.echo(
        tk._("{contracts} contracts of {buyers} buyers in the observatory.").format(
            contracts=sum(counts.values()), buyers=len(counts)
        )
    )


@observatory.command("seed-demo", short_help="The demo's register of local firms.")
@click.option(
    "--epci",
    "epci_siren",
    default=None,
    metavar="SIREN",
    help="SIREN of the EPCI (default: ckanext.territoire.epci_siren).",
)
@click.pass_context
def seed_demo(ctx: click.Context, epci_siren: str | None) -> None:
    """Publishes the demo's register of local firms (made from the DECP
    sample's firms) as the EPCI's register dataset, then fills the
    observatory from the DataStore and that register, asking the SIRENE
    service nothing. For the demo only: never on a real portal."""
    siren = epci_siren or str(tk.config.get("ckanext.territoire.epci_siren"))
    with ctx.meta["flask_app"].test_request_context():
        try:
            done = demo.seed(siren)
        except demo.DemoError as error:
            click.secho(
                tk._("Error: {message}").format(message=error), err=True, fg="red"
            )
            raise SystemExit(1) from None
        click.echo(
            tk._(
                "Demo observatory: register {dataset} ({firms} firms), {contracts} "
                "contracts; see /observatory."
            ).format(**done)
        )
