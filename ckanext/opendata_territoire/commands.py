"""Every ``ckan territoire`` command, for the plugin (IClick): the group
(cli.py), with the subcommands each feature adds to it in its own cli.py,
imported here for that.

The group lives apart (cli.py) so that the features import it and nothing
imports them back: cli.py knows no feature, this module knows them all.
"""

from __future__ import annotations

import click

from ckanext.opendata_territoire.cli import territoire
from ckanext.opendata_territoire.decp import cli as _decp_cli  # noqa: F401
from ckanext.opendata_territoire.future import cli as _future_cli  # noqa: F401
from ckanext.opendata_territoire.observatory import cli as _observatory_cli  # noqa: F401
from ckanext.opendata_territoire.peers import cli as _peers_cli  # noqa: F401
from ckanext.opendata_territoire.quality import cli as _quality_cli  # noqa: F401
from ckanext.opendata_territoire.territory import cli as _territory_cli  # noqa: F401
from ckanext.opendata_territoire.usage import cli as _usage_cli  # noqa: F401


def get_commands() -> list[click.Command]:
    return [territoire]
