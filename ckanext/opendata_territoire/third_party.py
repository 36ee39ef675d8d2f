"""No page makes a visitor's browser call another host (privacy: a public
body's portal does not tell a third party who reads what; and a page does
not wait on a host it cannot reach).

Gravatar is off in the configuration. What remains is an organization's,
group's or user's image given by URL on another host (CKAN's form accepts
one): the actions that feed the pages give it no display URL, so the pages
show the placeholder; ``image_url`` itself is kept, for the API and for the
edit form. An uploaded image, or one on the portal's own host, is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry


def shown_here(url: str) -> bool:
    """Whether the browser would load ``url`` from the portal itself."""
    host = urlsplit(url).netloc
    if not host:
        return not url.startswith("//")
    own = urlsplit(str(tk.config.get("ckan.site_url") or "")).netloc
    return host == own


def without_outside_image(found: Any) -> Any:
    """The dict (or each dict of a list) without a display URL on another
    host."""
    if isinstance(found, list):
        for item in found:
            without_outside_image(item)
    elif isinstance(found, dict):
        url = str(found.get("image_display_url") or "")
        if url and not shown_here(url):
            found["image_display_url"] = ""
    return found


# Keys CKAN reads as text before validating them: a number or a list there
# was a server error (tests/test_input_robustness.py).
TEXTS = ("id", "user", "q", "sort", "permission", "type")


# Flags CKAN reads with asbool: "" or a number there was a server error.
FLAGS = (
    "all_fields",
    "include_dataset_count",
    "include_datasets",
    "include_extras",
    "include_followers",
    "include_groups",
    "include_member_count",
    "include_num_followers",
    "include_plugin_extras",
    "include_tags",
    "include_users",
)
BOOLEAN_WORDS = {"true", "false", "1", "0", "yes", "no", "on", "off"}


def _check_texts(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        return
    errors = {
        key: [tk._("Must be a text.")]
        for key in TEXTS
        if data_dict.get(key) is not None and not isinstance(data_dict[key], str)
    }
    for key in FLAGS:
        value = data_dict.get(key)
        if value is not None and not (
            isinstance(value, bool)
            or (isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS)
        ):
            errors[key] = [tk._("Must be true or false.")]
    if errors:
        raise tk.ValidationError(errors)


def _chained(name: str) -> Any:
    @tk.chained_action
    def action(next_action: Any, context: dict[str, Any], data_dict: Any) -> Any:
        _check_texts(data_dict)
        return without_outside_image(next_action(context, data_dict))

    action.__name__ = name
    # Read-only, as CKAN's: callable with GET.
    action.side_effect_free = True
    action.__doc__ = (
        f"CKAN's {name}, an image on another host given no display URL "
        "(ckanext.opendata_territoire.third_party)."
    )
    return action


# Each registered under CKAN's name, which it chains.
registry.action("group_list")(_chained("group_list"))
registry.action("group_list_authz")(_chained("group_list_authz"))
registry.action("group_show")(_chained("group_show"))
registry.action("organization_list")(_chained("organization_list"))
registry.action("organization_list_for_user")(_chained("organization_list_for_user"))
registry.action("organization_show")(_chained("organization_show"))
registry.action("user_list")(_chained("user_list"))
registry.action("user_show")(_chained("user_show"))
