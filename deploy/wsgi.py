"""The WSGI application of the portal for uwsgi (`make serve`): CKAN loaded
from the configuration file named by $CKAN_INI, its logging configured from
the same file."""

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_file = os.environ["CKAN_INI"]
fileConfig(config_file, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(config_file).get_config())
