"""The `ckan territoire ...` command group. Each feature adds its
subcommands to it in its own cli.py; commands.py imports them all for the
plugin, so that this module imports no feature (and no feature imports
commands.py back)."""

from __future__ import annotations

import click

__all__ = ["territoire"]


@click.group(short_help="Territory commands: init, decp, suppliers...")
def territoire() -> None:
    """Commands of ckanext-opendata-territoire."""
