"""The auth function of every `territoire_*` action, gathered from the feature
folders (each feature module lists them in ``__all__``)."""

from ckanext.opendata_territoire.decp import auth as _decp
from ckanext.opendata_territoire.decp.auth import *  # noqa: F403
from ckanext.opendata_territoire.future import auth as _future
from ckanext.opendata_territoire.future.auth import *  # noqa: F403
from ckanext.opendata_territoire.licences import auth as _licences
from ckanext.opendata_territoire.licences.auth import *  # noqa: F403
from ckanext.opendata_territoire.observatory import auth as _observatory
from ckanext.opendata_territoire.observatory.auth import *  # noqa: F403
from ckanext.opendata_territoire.onboarding import auth as _onboarding
from ckanext.opendata_territoire.onboarding.auth import *  # noqa: F403
from ckanext.opendata_territoire.peers import auth as _peers
from ckanext.opendata_territoire.peers.auth import *  # noqa: F403
from ckanext.opendata_territoire.quality import auth as _quality
from ckanext.opendata_territoire.quality.auth import *  # noqa: F403
from ckanext.opendata_territoire.scdl_convert import auth as _scdl_convert
from ckanext.opendata_territoire.scdl_convert.auth import *  # noqa: F403
from ckanext.opendata_territoire.territory import auth as _territory
from ckanext.opendata_territoire.territory.auth import *  # noqa: F403
from ckanext.opendata_territoire.usage import auth as _usage
from ckanext.opendata_territoire.usage.auth import *  # noqa: F403

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
]
