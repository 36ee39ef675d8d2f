"""`ckan territoire peers refresh FILE_OR_URL` (every EPCI's figures from
the national tabular consolidation) and `ckan territoire peers seed-demo`."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.peers import demo, refresh


@territoire.group(short_help="The territory among its peers: refresh.")
def peers() -> None:
    """The national comparison of the procurement observatory."""


def _progress() -> refresh.compute.Progress:
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "read":
            percent = 100 * done // total if total else 100
            # One line per tenth of the file.
            if percent // 10 == shown.get(stage, -1):
                return
            shown[stage] = percent // 10
            click.echo(tk._("Reading the file: {percent} %").format(percent=percent))
        elif stage == "compute":
            click.echo(tk._("Computing the figures of every EPCI…"))
        elif stage == "store":
            click.echo(
                tk._("Replacing the stored figures ({rows} rows)…").format(rows=total)
            )

    return progress


def _report(done: refresh.Refreshed) -> None:
    click.echo(
        tk._(
            "Peers' figures refreshed from {source}: {rows_read} rows read, "
            "{contracts} contracts of {epcis} EPCIs, {rows} rows stored, in "
            "{seconds} s."
        ).format(
            source=done.source,
            rows_read=done.rows_read,
            contracts=done.contracts,
            epcis=done.epcis,
            rows=done.rows,
            seconds=f"{done.seconds:.1f}",
        )
    )


@peers.command("refresh", short_help="Every EPCI's figures from a national file.")
@click.argument("source", metavar="FILE_OR_URL")
@click.pass_context
def refresh_command(ctx: click.Context, source: str) -> None:
    """Reads the national tabular consolidation of the DECP (Parquet or CSV,
    a file or an http(s) URL, downloaded first), computes the observatory's
    figures for every EPCI of France, and replaces the stored ones in one
    transaction. On error the previous figures are kept (exit code 1)."""
    # A request context: the messages in the portal's language.
    with ctx.meta["flask_app"].test_request_context():
        try:
            done = refresh.refresh(source, _progress())
        except refresh.RefreshError as error:
            click.secho(
                tk._("Error: {message} The previous figures are kept.").format(
                    message=error
                ),
                err=True,
                fg="red",
            )
            raise SystemExit(1) from None
        _report(done)


@peers.command("seed-demo", short_help="The demo's national file, then refresh.")
@click.option(
    "--output",
    default=None,
    metavar="PATH",
    help="Where to write the demo's national file (default: a temporary file).",
)
@click.pass_context
def seed_demo(ctx: click.Context, output: str | None) -> None:
    """Writes a small national tabular file for the demo (the demo's DECP
    sample for the CCMV, made-up contracts for every other EPCI of France,
    always the same), then refreshes the peers' figures from it. For the
    demo only: no internet needed."""
    with ctx.meta["flask_app"].test_request_context():
        try:
            done = demo.seed(output, _progress())
        except (refresh.RefreshError, demo.DemoError) as error:
            click.secho(
                tk._("Error: {message}").format(message=error), err=True, fg="red"
            )
            raise SystemExit(1) from None
        _report(done)
