"""RDF answers in a text/* media type (Turtle, N3: /catalog.ttl,
/dataset/<id>.ttl) say they are UTF-8.

ckanext-dcat serves them as ``text/turtle`` without a charset, and an HTTP
client must then read a text/* body as ISO-8859-1 (RFC 2616; ``requests``
does, and data.gouv.fr's DCAT harvester parses ``response.text``): every
accented title of a catalogue declared as ``/catalog.ttl`` would arrive
garbled. The body is UTF-8 (Flask encodes it so); the header now says it.
"""

from __future__ import annotations

from flask import Response

TEXT_RDF = ("text/turtle", "text/n3")


def declare_utf8(response: Response) -> Response:
    """The after_request hook: add ``charset=utf-8`` to a text RDF answer
    that names no charset."""
    if response.mimetype in TEXT_RDF and "charset" not in response.mimetype_params:
        response.headers["Content-Type"] = f"{response.mimetype}; charset=utf-8"
    return response
