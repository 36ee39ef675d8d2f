"""Validators of the local-authority metadata.

Every message names the rule that failed and the value that broke it; CKAN
files it under the field's name (and the form shows it next to the field's
label). Messages are English gettext msgids with a French translation.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.metadata import choices as choice_lists
from ckanext.opendata_territoire.territory import reference
from ckanext.scheming.validation import scheming_validator

_ = tk._

# A commune's INSEE code: two digits (or 2A/2B for Corsica) then three digits.
INSEE_COMMUNE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
HEX_HASH = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$")
SCHEMA_VERSION = re.compile(r"^\d+(?:\.\d+){0,3}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _optional(validator: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An empty value passes untouched: whether a field is required is the
    schema's business (scheming_required, not_empty)."""

    @functools.wraps(validator)
    def checked(value: Any) -> Any:
        if value is missing or value in (None, ""):
            return value
        return validator(value)

    return checked


def _digits(value: Any) -> str:
    """SIREN and SIRET are often written with spaces or dots between groups."""
    return re.sub(r"[\s.]", "", str(value))


@registry.validator
@_optional
def territoire_siren(value: Any) -> Any:
    siren = _digits(value)
    if not re.fullmatch(r"\d{9}", siren):
        raise Invalid(_('SIREN must be 9 digits, got "{value}".').format(value=value))
    if not stdnum_siren.is_valid(siren):
        raise Invalid(
            _('SIREN "{value}" fails its check digit (Luhn): check for a typo.').format(
                value=value
            )
        )
    return siren


@registry.validator
@_optional
def territoire_siret(value: Any) -> Any:
    siret = _digits(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise Invalid(_('SIRET must be 14 digits, got "{value}".').format(value=value))
    # stdnum also knows La Poste's own rule for its establishments.
    if not stdnum_siret.is_valid(siret):
        raise Invalid(
            _('SIRET "{value}" fails its check digit (Luhn): check for a typo.').format(
                value=value
            )
        )
    return siret


def _unknown_commune(code: str) -> Invalid:
    return Invalid(
        _(
            'INSEE code "{value}" is not the code of a current commune in the '
            "Code officiel géographique."
        ).format(value=code)
    )


def _check_insee_code(code: str) -> str:
    code = code.strip().upper()
    if INSEE_COMMUNE.match(code):
        if reference.commune_known(code) is False:
            raise _unknown_commune(code)
        return code
    if re.fullmatch(r"\d{9}", code) and stdnum_siren.is_valid(code):
        return code  # the SIREN of an EPCI stands for the whole intercommunality
    raise Invalid(
        _(
            '"{value}" is not an INSEE commune code (5 characters, eg. 38548) '
            "nor the SIREN of an EPCI (9 digits)."
        ).format(value=code)
    )


@registry.validator
@_optional
def territoire_insee_code(value: Any) -> Any:
    code = str(value).strip().upper()
    if not INSEE_COMMUNE.match(code):
        raise Invalid(
            _(
                'INSEE code "{value}" is not valid: it has 5 characters, two '
                "digits (or 2A, 2B) then three digits, eg. 38548. It is not the "
                "postcode."
            ).format(value=value)
        )
    if reference.commune_known(code) is False:
        raise _unknown_commune(code)
    return code


def _drop(key: Any, data: dict) -> None:
    """Leave an empty optional field out of the dataset (CKAN cannot store
    `missing`), and stop its other validators."""
    data.pop(key, None)
    raise StopOnError


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return [str(item) for item in loaded]
        return [part for part in re.split(r"[\s,;]+", text) if part]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item not in (None, "")]
    raise Invalid(_("Expected a list of values or a comma-separated text."))


@registry.validator
def territoire_insee_codes(key: Any, data: dict, errors: dict, context: dict) -> None:
    """A list of INSEE commune codes or EPCI SIRENs, stored as a JSON list."""
    value = data.get(key)
    if value is missing or value in (None, "", []):
        _drop(key, data)
    try:
        items = _as_list(value)
    except Invalid as error:
        errors[key].append(error.error)
        raise StopOnError from None
    codes = []
    for item in items:
        try:
            code = _check_insee_code(item)
        except Invalid as error:
            errors[key].append(error.error)
            continue
        if code not in codes:
            codes.append(code)
    if errors[key]:
        raise StopOnError
    if not codes:
        _drop(key, data)
    data[key] = json.dumps(codes)


@registry.validator
def territoire_list_output(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@registry.validator
@_optional
def territoire_email(value: Any) -> Any:
    email = str(value).strip()
    if not EMAIL.match(email):
        raise Invalid(
            _(
                '"{value}" is not a valid e-mail address: expected the form '
                "name@domain.fr."
            ).format(value=value)
        )
    return email


@registry.validator
@_optional
def territoire_url(value: Any) -> Any:
    url = str(value).strip()
    if not URL.match(url):
        raise Invalid(
            _(
                '"{value}" is not a web address: it must start with https:// or http://.'
            ).format(value=value)
        )
    return url


@registry.validator
@_optional
def territoire_date(value: Any) -> Any:
    """An ISO date (a date-time is cut to its date), kept as YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise Invalid(
            _('"{value}" is not a date: expected YYYY-MM-DD, eg. 2024-12-31.').format(
                value=value
            )
        ) from None


@registry.validator
def territoire_not_before(other_field: str):
    """The field's date must not come before the date of ``other_field``.
    Both are read as dates whatever their ISO form; a start date that is not
    a date is reported on the start date only (by its own validator)."""

    def validator(key: Any, data: dict, errors: dict, context: dict) -> None:
        try:
            end = territoire_date(data.get(key))
            start = territoire_date(data.get((*key[:-1], other_field)))
        except Invalid:
            return
        if end in (None, "", missing) or start in (None, "", missing):
            return
        if end < start:
            errors[key].append(
                _("The end date {end} comes before the start date {start}.").format(
                    end=end, start=start
                )
            )

    return validator


@registry.validator
@_optional
def territoire_positive_int(value: Any) -> Any:
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise Invalid(
            _('"{value}" is not a whole number.').format(value=value)
        ) from None
    if number < 0:
        raise Invalid(
            _("The number cannot be negative, got {value}.").format(value=value)
        )
    return number


@registry.validator
def territoire_int_output(value: Any) -> Any:
    """Extras are stored as text: give whole numbers back as numbers."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


@registry.validator
@_optional
def territoire_hash(value: Any) -> Any:
    text = str(value).strip().lower()
    if ":" in text:  # "sha256:..." as some portals write it
        text = text.split(":", 1)[1]
    if not HEX_HASH.match(text):
        raise Invalid(
            _(
                '"{value}" is not a checksum: expected the hexadecimal MD5 (32), '
                "SHA-1 (40) or SHA-256 (64 characters) of the file."
            ).format(value=value)
        )
    return text


@registry.validator
@_optional
def territoire_schema_version(value: Any) -> Any:
    text = str(value).strip().lstrip("v")
    if not SCHEMA_VERSION.match(text):
        raise Invalid(
            _('"{value}" is not a schema version: expected numbers like 2.1.5.').format(
                value=value
            )
        )
    return text


@registry.validator
def territoire_format_string(value: Any) -> Any:
    """data.gouv.fr's harvester needs a string format on every resource."""
    if value is missing or value is None:
        return ""
    return value


def _not_allowed(value: Any, allowed: list[str]) -> str:
    return _('"{value}" is not an allowed value. Allowed values: {allowed}.').format(
        value=value, allowed=", ".join(allowed)
    )


@registry.validator
@scheming_validator
def territoire_choice(field: dict, schema: dict):
    """One value of the field's choice list (key ``choice_list``)."""
    allowed = choice_lists.values(field["choice_list"])

    def validator(value: Any) -> Any:
        if value is missing or value in (None, ""):
            return value
        if isinstance(value, bool):  # JSON true/false for a yes/no list
            value = "true" if value else "false"
        if str(value) not in allowed:
            raise Invalid(_not_allowed(value, allowed))
        return str(value)

    return validator


@registry.validator
@scheming_validator
def territoire_multiple_choices(field: dict, schema: dict):
    """Values of the field's choice list, stored as a JSON list in the list's
    order (a list, a comma-separated text or one value are accepted)."""
    allowed = choice_lists.values(field["choice_list"])

    def validator(key: Any, data: dict, errors: dict, context: dict) -> None:
        value = data.get(key)
        if value is missing or value in (None, "", []):
            data[key] = json.dumps([])
            return
        try:
            items = _as_list(value)
        except Invalid as error:
            errors[key].append(error.error)
            raise StopOnError from None
        unknown = [item for item in items if item not in allowed]
        if unknown:
            errors[key].append(_not_allowed(", ".join(unknown), allowed))
            raise StopOnError
        data[key] = json.dumps([choice for choice in allowed if choice in items])

    return validator


@registry.validator
@scheming_validator
def territoire_personal_data(field: dict, schema: dict):
    """A public dataset states how it holds no personal data; one that
    declares personal data cannot be public."""
    allowed = choice_lists.values(field["choice_list"])

    def validator(key: Any, data: dict, errors: dict, context: dict) -> None:
        value = data.get(key)
        private = tk.asbool(data.get(("private",), False) or False)
        if value is missing or value in (None, ""):
            if not private:
                errors[key].append(
                    _(
                        "A public dataset must state whether it holds personal "
                        "data: choose no personal data, anonymised or aggregated."
                    )
                )
                raise StopOnError
            _drop(key, data)
        if str(value) not in allowed:
            errors[key].append(_not_allowed(value, allowed))
            raise StopOnError
        if value == "contains" and not private:
            errors[key].append(
                _(
                    "A public dataset cannot contain personal data: remove or "
                    "aggregate it, or keep the dataset private."
                )
            )
            raise StopOnError

    return validator


# Keys that package_show adds to `extras` for data.gouv.fr's CKAN harvester
# (see datagouv/exposed.py); they mirror schema fields and are not input.
EXPOSED_EXTRAS = {
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial-uri",
    "spatial",
}
# CKAN validates each extra's key after the schema fields were converted to
# extras at the free indexes, so mirrored entries cannot simply be deleted
# before validation: they are renamed to this key, then dropped after it.
MIRRORED = "__territoire_mirrored__"


def _extra_indexes(data: dict) -> set[Any]:
    return {k[1] for k in data if len(k) == 3 and k[0] == "extras"}


@registry.validator
@scheming_validator
def territoire_mark_mirrored_extras(field: dict, schema: dict):
    """A client that sends back what package_show gave it sends the mirrored
    `extras` too (and may send extras named like schema fields): mark them,
    so that CKAN does not refuse them as duplicates of schema fields."""
    dropped = EXPOSED_EXTRAS | {f["field_name"] for f in schema["dataset_fields"]}

    def validator(key: Any, data: dict, errors: dict, context: dict) -> None:
        for index in _extra_indexes(data):
            if data.get(("extras", index, "key")) in dropped:
                data[("extras", index, "key")] = MIRRORED

    return validator


@registry.validator
def territoire_drop_mirrored_extras(
    key: Any, data: dict, errors: dict, context: dict
) -> None:
    for index in _extra_indexes(data):
        if data.get(("extras", index, "key")) == MIRRORED:
            for flat_key in [k for k in data if k[:2] == ("extras", index)]:
                del data[flat_key]


@registry.validator
def territoire_keep_stored(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """A field the system fills (the DECP buyer's SIREN, a harvested
    dataset's page; a file's size, checksum and date) is not in the web
    forms: a save that leaves it out keeps the value stored, where a save
    would otherwise blank it. A value given (by the API, the harvesters,
    the import) is taken as it is."""
    value = data.get(key, missing)
    if value is not missing and value not in (None, ""):
        return
    package = context.get("package")
    if package is None:
        return
    name = key[-1]
    if len(key) == 3 and key[0] == "resources":
        resource_id = data.get(("resources", key[1], "id"))
        resource = next(
            (r for r in package.resources if resource_id and r.id == resource_id),
            None,
        )
        stored = None
        if resource is not None:
            stored = getattr(resource, name, None)
            if stored is None:
                stored = (resource.extras or {}).get(name)
    else:
        stored = package.extras.get(name)
    if stored not in (None, ""):
        data[key] = stored.isoformat() if isinstance(stored, dt.datetime) else stored
