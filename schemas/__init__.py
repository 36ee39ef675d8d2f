"""Scheming schemas (YAML), shipped as ckanext.opendata_territoire.schemas."""
