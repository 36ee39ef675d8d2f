"""`ckan territoire ...` commands. Each feature adds its subcommands to the
`territoire` group in its own module (imported at the bottom)."""

from __future__ import annotations

import click

__all__ = ["territoire"]


@click.group(short_help="Territory commands: init, decp, suppliers...")
def territoire() -> None:
    """Commands of ckanext-opendata-territoire."""
