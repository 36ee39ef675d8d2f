"""Requests whose parameters hold a NUL character are refused before any
action reads them (a Flask ``before_request`` hook installed by the plugin).

PostgreSQL refuses NUL in a text: any action that looked an id up with one
(``"id": "\\u0000"``) failed with a server error. Never a legitimate value
of a form or an API parameter (uploaded files are not concerned).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response, request

NUL = "\x00"


def _holds_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return NUL in value
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(
            _holds_nul(k, depth + 1) or _holds_nul(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_holds_nul(item, depth + 1) for item in value)
    return False


def _parameters() -> list[Any]:
    found: list[Any] = [request.path, request.args.to_dict(flat=False)]
    if request.method in ("POST", "PUT", "PATCH"):
        found.append(request.form.to_dict(flat=False))
        if request.is_json:
            found.append(request.get_json(silent=True))
    return found


def refuse_nul() -> Response | None:
    """The before_request hook: a 400 naming the rule, JSON for the API."""
    if not any(_holds_nul(value) for value in _parameters()):
        return None
    message = tk._("A parameter holds a NUL character, which no value may contain.")
    if request.path.startswith("/api/"):
        body = {
            "success": False,
            "error": {"__type": "Bad Request", "message": message},
        }
        return Response(
            json.dumps(body), status=400, mimetype="application/json;charset=utf-8"
        )
    return Response(message, status=400, mimetype="text/plain;charset=utf-8")
