"""Every `territoire_*` validator, gathered from the feature folders (each
feature module lists them in ``__all__``)."""

from ckanext.opendata_territoire.licences import validators as _licences
from ckanext.opendata_territoire.licences.validators import *  # noqa: F403
from ckanext.opendata_territoire.metadata import validators as _metadata
from ckanext.opendata_territoire.metadata.validators import *  # noqa: F403
from ckanext.opendata_territoire.quality import validators as _quality
from ckanext.opendata_territoire.quality.validators import *  # noqa: F403
from ckanext.opendata_territoire.territory import validators as _territory
from ckanext.opendata_territoire.territory.validators import *  # noqa: F403

__all__ = [
    *_metadata.__all__,
    *_licences.__all__,
    *_quality.__all__,
    *_territory.__all__,
]
