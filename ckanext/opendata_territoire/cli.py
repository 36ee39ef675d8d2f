"""`ckan territoire ...` commands. Each feature adds its subcommands to the
`territoire` group in its own module (imported at the bottom)."""

from __future__ import annotations

import click

__all__ = ["territoire"]


@click.group(short_help="Territory commands: init, decp, suppliers...")
def territoire() -> None:
    """Commands of ckanext-opendata-territoire."""


# Subcommands, registered on the group by importing their modules.
from ckanext.opendata_territoire.decp import cli as _decp_cli  # noqa: E402,F401
from ckanext.opendata_territoire.future import cli as _future_cli  # noqa: E402,F401
from ckanext.opendata_territoire.observatory import cli as _observatory_cli  # noqa: E402,F401
from ckanext.opendata_territoire.peers import cli as _peers_cli  # noqa: E402,F401
from ckanext.opendata_territoire.quality import cli as _quality_cli  # noqa: E402,F401
from ckanext.opendata_territoire.territory import cli as _territory_cli  # noqa: E402,F401
from ckanext.opendata_territoire.usage import cli as _usage_cli  # noqa: E402,F401
