"""`ckan territoire decp import FILE`: a local DECP file into the buyers'
procurement datasets, with a progress bar and a summary (in the portal's
default language; ``--json`` prints the summary as JSON only)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from typing import Any, NoReturn

import ckan.plugins.toolkit as tk
import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.decp.cleaning import REJECTIONS, RULES
from ckanext.opendata_territoire.decp.importer import ImportRun, import_file
from ckanext.opendata_territoire.decp.publish import BuyerResult, PublishError

# Rule and rejection descriptions are msgids (cleaning.py marks them).
translate = tk._

# Rejections listed one by one in the text summary (--json lists more).
REJECTIONS_SHOWN = 20


@territoire.group("decp", short_help="Procurement data (DECP): import.")
def decp() -> None:
    """Procurement data (DECP) of the territory's buyers."""


def _fail(message: str) -> NoReturn:
    click.secho(tk._("Error: {message}").format(message=message), err=True, fg="red")
    raise SystemExit(1)


def buyer_line(result: BuyerResult, dry_run: bool) -> str:
    name = f"{result.title or result.siren} ({result.siren})"
    if result.error:
        return tk._("{buyer}: failed, {error}").format(buyer=name, error=result.error)
    if not result.contracts:
        return tk._("{buyer}: no contract in the file").format(buyer=name)
    text = (
        tk._(
            "{buyer} — {dataset}{created}: {contracts} contracts; to insert: "
            "{inserted}, to update: {updated}, unchanged: {unchanged}"
        )
        if dry_run
        else tk._(
            "{buyer} — {dataset}{created}: {contracts} contracts; inserted: "
            "{inserted}, updated: {updated}, unchanged: {unchanged}"
        )
    )
    line = text.format(
        buyer=name,
        dataset=result.dataset,
        created=tk._(" (new dataset)") if result.dataset_created else "",
        contracts=result.contracts,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    if result.superseded:
        line += tk._("; older versions set aside: {count}").format(
            count=result.superseded
        )
    if result.files:
        line += tk._("; files written: {files}").format(files=", ".join(result.files))
    return line


def summary_lines(run: ImportRun) -> list[str]:
    report = run.report
    lines = [
        tk._(
            "Read: {read} contracts (format {format}); kept: {kept}; other buyers: "
            "{outside}; notified before the start date: {before}; duplicates "
            "removed: {duplicates}; rejected: {rejected}."
        ).format(
            read=report.read,
            format=report.file_format,
            kept=report.kept,
            outside=report.outside,
            before=report.before_since,
            duplicates=report.duplicates,
            rejected=report.rejected_count,
        )
    ]
    if report.cleaned:
        lines.append(tk._("Cleaned (contracts per rule):"))
        lines += [
            f"  {rule}: {count} — {translate(RULES[rule])}"
            for rule, count in sorted(report.cleaned.items())
        ]
    if report.rejected_count:
        lines.append(tk._("Rejected:"))
        lines += [
            f"  {reason}: {count} — {translate(REJECTIONS[reason])}"
            for reason, count in sorted(report.rejected_by_reason.items())
        ]
        for rejection in report.rejected[:REJECTIONS_SHOWN]:
            lines.append(
                "    "
                + tk._("record {position}, contract {id}: {reason} {detail}")
                .format(
                    position=rejection.position,
                    id=rejection.contract_id or "?",
                    reason=rejection.reason,
                    detail=rejection.detail,
                )
                .rstrip()
            )
        if report.rejected_count > REJECTIONS_SHOWN:
            lines.append(
                "    "
                + tk._("... and {count} more (--json lists them).").format(
                    count=report.rejected_count - REJECTIONS_SHOWN
                )
            )
    lines.append(tk._("Buyers:"))
    lines += ["  " + buyer_line(r, run.dry_run) for r in run.results]
    if run.dry_run:
        lines.append(tk._("Dry run, nothing written."))
    return lines


@decp.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--buyer",
    "buyers",
    multiple=True,
    metavar="SIREN",
    help="Keep this buyer only (SIREN: every SIRET of the body; or a SIRET); "
    "repeatable. Default: every organization of the catalogue with a SIREN.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Keep the contracts notified from this date (YYYY-MM-DD).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON only.")
@click.option(
    "--user",
    default=None,
    metavar="NAME",
    help="Sysadmin to write as (default: the site user).",
)
@click.pass_context
def import_command(
    ctx: click.Context,
    file: str,
    buyers: tuple[str, ...],
    since: dt.datetime | None,
    dry_run: bool,
    as_json: bool,
    user: str | None,
) -> None:
    """Import a DECP file (2019 JSON, 2022 JSON, XML, or the tabular
    consolidation's Parquet or CSV) into the procurement
    datasets of the territory's buyers: cleaned, deduplicated, upserted by
    contract uid (a second run with the same file changes nothing). Exit
    code 1 when the file cannot be read to its end (nothing is published
    then) or when a buyer could not be published."""
    with ctx.meta["flask_app"].test_request_context(), contextlib.ExitStack() as stack:
        sink = stack.enter_context(open(os.devnull, "w")) if as_json else None
        bar: Any = stack.enter_context(
            click.progressbar(
                length=os.path.getsize(file),
                label=tk._("Reading {name}").format(name=os.path.basename(file)),
                file=sink,
            )
        )
        done = [0]

        def advance(position: int) -> None:
            bar.update(position - done[0])
            done[0] = position

        def published(result: BuyerResult) -> None:
            # Publishing takes a while per buyer: say each one as it ends.
            if not as_json:
                click.echo(buyer_line(result, dry_run), err=True)

        try:
            run = import_file(
                file,
                buyers,
                since=since.date() if since else None,
                dry_run=dry_run,
                user=user,
                read_progress=advance,
                buyer_progress=published,
            )
        except PublishError as error:
            _fail(str(error))
        bar.render_finish()
        if as_json:
            click.echo(json.dumps(run.as_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo("")
            for line in summary_lines(run):
                click.echo(line)
        if run.report.error:
            click.secho(
                tk._(
                    "Error: {file} cannot be read to its end, nothing was "
                    "published: {error}"
                ).format(file=file, error=run.report.error),
                err=True,
                fg="red",
            )
        if run.failed:
            raise SystemExit(1)
