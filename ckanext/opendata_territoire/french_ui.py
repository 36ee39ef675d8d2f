"""What CKAN shows in English where gettext does not reach, said in French.

- The error pages: CKAN names the error by werkzeug's English name ("404 Not
  Found") and, for a URL no route knows, shows werkzeug's English
  description. templates/error_document_template.html asks
  ``territoire_error_page`` for both.
- The activity types of the activity stream's filter ("New Package",
  "Follow Dataset": the type's name, title-cased, in ckanext-activity's
  template): templates/snippets/activity_type_selector.html asks
  ``territoire_activity_type``."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.exceptions import default_exceptions

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.i18n_markers import N_

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Sign-in needed"),
    403: N_("Access refused"),
    404: N_("Page not found"),
    405: N_("This action is not possible here"),
    409: N_("Conflict with the current state"),
    413: N_("The file is too large"),
    429: N_("Too many requests: try again in a moment"),
    500: N_("Server error"),
    503: N_("Service temporarily unavailable"),
}
# What to say instead of werkzeug's default description (English).
DEFAULT_TEXTS = {
    400: N_("The address or the form sent could not be read."),
    401: N_("Sign in to see this page."),
    403: N_("You do not have the right to see this page or to do this action."),
    404: N_(
        "No page has this address: it may have moved or been deleted. "
        "Check the address, or search the catalogue."
    ),
    405: N_("This page does not accept this kind of request."),
    500: N_(
        "The portal met an unexpected error. The administrators can find "
        "it in the logs; try again in a moment."
    ),
}


@registry.helper
def territoire_error_page(code: Any, content: Any) -> dict[str, Any]:
    """The error's number, its French title and the text to show (CKAN's
    message when it gave one, a French text instead of werkzeug's)."""
    if isinstance(code, list | tuple):
        code = code[0] if code else 500
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = 500
    text = str(content or "")
    default = default_exceptions.get(number)
    if not text or (default is not None and text == default.description):
        text = tk._(DEFAULT_TEXTS[number]) if number in DEFAULT_TEXTS else ""
    title = tk._(TITLES[number]) if number in TITLES else ""
    return {"code": number, "title": title, "text": text}


ACTIVITY_TYPES = {
    "new package": N_("New dataset"),
    "changed package": N_("Dataset changed"),
    "deleted package": N_("Dataset deleted"),
    "follow dataset": N_("Dataset followed"),
    "new user": N_("New user"),
    "changed user": N_("User changed"),
    "follow user": N_("User followed"),
    "new group": N_("New group"),
    "changed group": N_("Group changed"),
    "deleted group": N_("Group deleted"),
    "follow group": N_("Group followed"),
    "new organization": N_("New organization"),
    "changed organization": N_("Organization changed"),
    "deleted organization": N_("Organization deleted"),
    "follow organization": N_("Organization followed"),
    "new resource view": N_("New view of a resource"),
    "changed resource view": N_("View of a resource changed"),
    "deleted resource view": N_("View of a resource deleted"),
}


@registry.helper
def territoire_activity_type(activity_type: str) -> str:
    """The activity type's label in the reader's language ("new package":
    "Nouveau jeu de données"); a type of another extension, title-cased as
    CKAN does."""
    label = ACTIVITY_TYPES.get(str(activity_type))
    return tk._(label) if label else str(activity_type).title()
