"""Flask blueprints (pages). get_blueprints() lists them for IBlueprint."""

from __future__ import annotations

from flask import Blueprint

# Imported for its routes: the forecast's pages join the blueprint of the
# contracts to come.
from ckanext.opendata_territoire.future import forecast_views  # noqa: F401
from ckanext.opendata_territoire.future.views import blueprint as future
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
        future,
        peers,
        territory,
        api_guide,
        scdl_convert,
    ]
