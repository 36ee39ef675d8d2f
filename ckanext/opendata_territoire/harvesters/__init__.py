"""Harvesters of the territory's catalogue (ckanext-harvest plugins)."""
