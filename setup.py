"""The one build setting pyproject.toml cannot express: the scheming YAML files
live in the top-level ``schemas/`` folder (the layout of the design) and ship as
the package ``ckanext.opendata_territoire.schemas``. Translations are extracted
by dev/i18n.sh (pybabel), not through setup.py.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["ckanext", "ckanext.*"]),
        "ckanext.opendata_territoire.schemas",
    ],
    package_dir={"ckanext.opendata_territoire.schemas": "schemas"},
)
