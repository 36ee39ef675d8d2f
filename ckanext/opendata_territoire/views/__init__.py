"""Flask blueprints (pages). get_blueprints() lists them for IBlueprint."""

from __future__ import annotations

from flask import Blueprint


def get_blueprints() -> list[Blueprint]:
    return []
