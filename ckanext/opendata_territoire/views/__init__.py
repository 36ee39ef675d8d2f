"""Flask blueprints (pages). get_blueprints() lists them for IBlueprint."""

from __future__ import annotations

from flask import Blueprint

from ckanext.opendata_territoire.licences.views import blueprint as licences
from ckanext.opendata_territoire.metadata.api_guide import blueprint as api_guide
from ckanext.opendata_territoire.observatory.views import blueprint as observatory
from ckanext.opendata_territoire.onboarding.views import blueprint as onboarding
from ckanext.opendata_territoire.peers.views import blueprint as peers
from ckanext.opendata_territoire.quality.views import blueprint as quality
from ckanext.opendata_territoire.scdl_convert.views import blueprint as scdl_convert
from ckanext.opendata_territoire.territory.views import blueprint as territory
from ckanext.opendata_territoire.usage.views import blueprint as usage


def get_blueprints() -> list[Blueprint]:
    return [
        onboarding,
        quality,
        usage,
        licences,
        observatory,
        peers,
        territory,
        api_guide,
        scdl_convert,
    ]
