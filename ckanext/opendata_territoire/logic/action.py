"""Every `territoire_*` action of the action API, gathered from the feature
folders (each feature module lists its actions in ``__all__``)."""

from ckanext.opendata_territoire import third_party as _third_party
from ckanext.opendata_territoire.decp import actions as _decp
from ckanext.opendata_territoire.decp.actions import *  # noqa: F403
from ckanext.opendata_territoire.future import actions as _future
from ckanext.opendata_territoire.future.actions import *  # noqa: F403
from ckanext.opendata_territoire.licences import actions as _licences
from ckanext.opendata_territoire.licences.actions import *  # noqa: F403
from ckanext.opendata_territoire.observatory import actions as _observatory
from ckanext.opendata_territoire.observatory.actions import *  # noqa: F403
from ckanext.opendata_territoire.onboarding import actions as _onboarding
from ckanext.opendata_territoire.onboarding.actions import *  # noqa: F403
from ckanext.opendata_territoire.peers import actions as _peers
from ckanext.opendata_territoire.peers.actions import *  # noqa: F403
from ckanext.opendata_territoire.quality import actions as _quality
from ckanext.opendata_territoire.quality.actions import *  # noqa: F403
from ckanext.opendata_territoire.scdl_convert import actions as _scdl_convert
from ckanext.opendata_territoire.scdl_convert.actions import *  # noqa: F403
from ckanext.opendata_territoire.territory import actions as _territory
from ckanext.opendata_territoire.territory.actions import *  # noqa: F403
from ckanext.opendata_territoire.third_party import *  # noqa: F403
from ckanext.opendata_territoire.usage import actions as _usage
from ckanext.opendata_territoire.usage.actions import *  # noqa: F403

__all__ = [
    *_territory.__all__,
    *_onboarding.__all__,
    *_quality.__all__,
    *_usage.__all__,
    *_licences.__all__,
    *_observatory.__all__,
    *_future.__all__,
    *_decp.__all__,
    *_peers.__all__,
    *_scdl_convert.__all__,
    *_third_party.__all__,
]
