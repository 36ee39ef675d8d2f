"""The forecast of planned purchases: what an entry holds, how a value typed
in the form, sent to the API or read from a spreadsheet is checked, and the
entry as the actions, the contracts to come and the published CSV give it.

Pure where it can be: the checks take plain values and give the clean
fields or, per field, the rule broken (translated at call time).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.opendata_territoire.future import renewals
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.observatory import cpv

# The procedures of the DECP (2022 format, marchés): the same words as the
# contracts already awarded, so a firm reads one vocabulary.
PROCEDURES = (
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
)
BANDS = tuple(key for key, _low, _high in renewals.AMOUNT_BANDS)
# The French labels of the bands as a spreadsheet may carry them, whatever
# the language of the request (the translations of renewals.BAND_LABELS).
BAND_WORDS_FR = {
    "small": "moins de 40 000 €",
    "medium": "de 40 000 € à 221 000 €",
    "large": "de 221 000 € à 1 million d'€",
    "very_large": "1 million d'€ et plus",
}

OBJECT_MAX = 300
NOTES_MAX = 2000
CONTACT_MAX = 200
PHONE_MAX = 40
# A planned quarter from last year (a late entry) to this many years ahead.
YEARS_AHEAD = 5

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().-]{4,}$")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
AMOUNT = re.compile(r"^[0-9][0-9 .,\u00a0\u202f]*(?:€|eur|euros)?(?: ?ht)?$")

# The fields an entry is made of, in the order of the form and of the CSV.
FIELDS = (
    "object",
    "cpv_division",
    "amount_band",
    "quarter",
    "procedure",
    "contact_name",
    "contact_email",
    "contact_phone",
    "notes",
)
LABELS: dict[str, str] = {
    "object": N_("Object"),
    "cpv_division": N_("Domain (CPV division)"),
    "amount_band": N_("Estimated amount"),
    "year": N_("Year"),
    "quarter": N_("Planned quarter"),
    "procedure": N_("Expected procedure"),
    "contact_name": N_("Contact"),
    "contact_email": N_("Contact e-mail"),
    "contact_phone": N_("Contact phone"),
    "notes": N_("Notes"),
}


def fold(value: Any) -> str:
    """A text without accents, in lower case, its punctuation as single
    spaces: how headers and choices are compared."""
    text = unicodedata.normalize("NFKD", str(value if value is not None else ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Invalid(ValueError):
    """A value that breaks a rule; the message says which, for people."""


# One field each: a clean value, or Invalid.


def object_of(value: Any) -> str:
    text = " ".join(_text(value).split())
    if not text:
        raise Invalid(tk._("Required: say what will be bought."))
    if len(text) > OBJECT_MAX:
        raise Invalid(tk._("At most {max} characters.").format(max=OBJECT_MAX))
    return text


def division_of(value: Any) -> str:
    """A CPV division (two digits) from a division, a CPV code (``45233140``,
    ``45233140-2``, a spreadsheet's number without its leading zero) or a
    division's French title."""
    text = _text(value)
    if not text:
        raise Invalid(tk._("Required: the CPV division, e.g. 45 for works."))
    digits = re.match(r"^\s*(\d+)", text)
    if digits:
        number = digits.group(1)
        if len(number) in (1, 7):  # a number that lost its leading zero
            number = "0" + number
        division = number[:2]
        if len(number) >= 2 and division in cpv.DIVISIONS:
            return division
    else:
        wanted = fold(text)
        for division, title in cpv.DIVISIONS.items():
            if fold(title) == wanted:
                return division
    raise Invalid(
        tk._(
            "Must be a CPV division (2 digits, e.g. 45 for construction works) "
            "or a CPV code; {value} is not one."
        ).format(value=text)
    )


def band_of(value: Any) -> str:
    """An amount band from its key, its label (English or French) or an
    estimated amount in euros (``35000``, ``35 000 €``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = renewals.amount_band(float(value))
        if found:
            return found
    text = _text(value)
    if not text:
        raise Invalid(tk._("Required: choose an amount band."))
    wanted = fold(text)
    for key in BANDS:
        names = {
            fold(key),
            fold(renewals.BAND_LABELS[key]),
            fold(tk._(renewals.BAND_LABELS[key])),
            fold(BAND_WORDS_FR[key]),
        }
        if wanted in names or fold(BAND_WORDS_FR[key]) in wanted:
            return key
    if AMOUNT.match(text.casefold()):
        number = re.sub(r"[^0-9,.]", "", text).replace(",", ".")
        if number.count(".") > 1 or re.search(r"\.\d{3}$", number):
            number = number.replace(".", "")
        try:
            found = renewals.amount_band(float(number))
        except ValueError:
            found = None
        if found:
            return found
    raise Invalid(
        tk._("Must be one of: {values}.").format(
            values=", ".join(tk._(renewals.BAND_LABELS[key]) for key in BANDS)
        )
    )


def years(today: dt.date) -> range:
    return range(today.year - 1, today.year + YEARS_AHEAD + 1)


def quarter_of(
    value: Any, year: Any = None, today: dt.date | None = None
) -> tuple[int, int]:
    """(year, quarter 1 to 4) from ``2026-Q3``, ``2026-T3``, ``T3 2026``,
    ``3e trimestre 2026``, a date, or a quarter 1 to 4 with ``year``."""
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        found_year, number = value.year, (value.month - 1) // 3 + 1
    else:
        text = _text(value)
        if not text:
            raise Invalid(tk._("Required: the planned quarter, e.g. 2026-T3."))
        match = YEAR.search(text)
        given = int(match.group(1)) if match else None
        rest = YEAR.sub(" ", text) if match else text
        numbers = re.findall(r"(?<!\d)([1-4])(?!\d)", rest)
        if len(numbers) != 1 or re.search(r"\d{2,}", rest):
            raise Invalid(
                tk._(
                    "Must be a quarter from 1 to 4 with its year (e.g. 2026-T3); "
                    "{value} is not one."
                ).format(value=text)
            )
        number = int(numbers[0])
        if given is not None:
            found_year = given
        else:
            year_text = _text(year)
            if not year_text:
                raise Invalid(tk._("Give the year of the quarter (e.g. 2026-T3)."))
            if not year_text.isdigit():
                raise Invalid(
                    tk._("The year must be written in digits; {value} is not.").format(
                        value=year_text
                    )
                )
            found_year = int(year_text)
    allowed = years(today)
    if found_year not in allowed:
        raise Invalid(
            tk._("The year must be from {low} to {high}.").format(
                low=allowed[0], high=allowed[-1]
            )
        )
    return found_year, number


def procedure_of(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    wanted = fold(text)
    for procedure in PROCEDURES:
        if fold(procedure) == wanted:
            return procedure
    raise Invalid(
        tk._("Must be one of: {values}.").format(values=", ".join(PROCEDURES))
    )


def contact_name_of(value: Any) -> str:
    text = " ".join(_text(value).split())
    if len(text) > CONTACT_MAX:
        raise Invalid(tk._("At most {max} characters.").format(max=CONTACT_MAX))
    return text


def email_of(value: Any) -> str:
    text = _text(value)
    if text.casefold().startswith("mailto:"):
        text = text[7:]
    if text and (len(text) > CONTACT_MAX or not EMAIL.match(text)):
        raise Invalid(
            tk._(
                "Must be an e-mail address (e.g. marches@commune.fr); "
                "{value} is not one."
            ).format(value=text)
        )
    return text


def phone_of(value: Any) -> str:
    text = " ".join(_text(value).split())
    if text and (len(text) > PHONE_MAX or not PHONE.match(text)):
        raise Invalid(
            tk._(
                "Must be a phone number (digits, spaces, dots, + and brackets); "
                "{value} is not one."
            ).format(value=text)
        )
    return text


def notes_of(value: Any) -> str:
    text = _text(value)
    if len(text) > NOTES_MAX:
        raise Invalid(tk._("At most {max} characters.").format(max=NOTES_MAX))
    return text


@dataclass
class Checked:
    """The clean fields of an entry, or the rule each bad field breaks."""

    fields: dict[str, Any]
    errors: dict[str, str]


def check(values: dict[str, Any], today: dt.date | None = None) -> Checked:
    """Every field of ``values`` checked: ``object``, ``cpv_division``,
    ``amount_band``, ``quarter`` (with ``year`` when it holds only the
    quarter's number), ``procedure``, ``contact_name``, ``contact_email``,
    ``contact_phone``, ``notes``. A ``contact`` dict (``name``, ``email``,
    ``phone``) is read as the three contact fields."""
    values = dict(values)
    contact = values.get("contact")
    if isinstance(contact, dict):
        for part in ("name", "email", "phone"):
            values.setdefault(f"contact_{part}", contact.get(part))
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    simple = {
        "object": object_of,
        "cpv_division": division_of,
        "amount_band": band_of,
        "procedure": procedure_of,
        "contact_name": contact_name_of,
        "contact_email": email_of,
        "contact_phone": phone_of,
        "notes": notes_of,
    }
    for key, parse in simple.items():
        try:
            fields[key] = parse(values.get(key))
        except Invalid as error:
            errors[key] = str(error)
    try:
        fields["year"], fields["quarter"] = quarter_of(
            values.get("quarter"), values.get("year"), today
        )
    except Invalid as error:
        errors["quarter"] = str(error)
    return Checked(fields, errors)


# The entry as it is given


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    return renewals.add_months(quarter_start(year, quarter), 3) - dt.timedelta(days=1)


def as_dict(entry: Any, org: dict[str, Any]) -> dict[str, Any]:
    """An entry (the model's row) as the actions and the contracts to come
    give it; ``org``: its organization (``name``, ``title``)."""
    start = quarter_start(entry.year, entry.quarter)
    return {
        "id": entry.id,
        "buyer": org["name"],
        "buyer_title": org["title"],
        "object": entry.object,
        "cpv_division": entry.cpv_division,
        "cpv_label": cpv.label(entry.cpv_division),
        "amount_band": entry.amount_band,
        "amount_band_label": tk._(renewals.BAND_LABELS[entry.amount_band]),
        "quarter": renewals.quarter(start),
        "quarter_label": renewals.quarter_label(start),
        "procedure": entry.procedure or None,
        "contact": {
            "name": entry.contact_name or None,
            "email": entry.contact_email or None,
            "phone": entry.contact_phone or None,
        },
        "notes": entry.notes or None,
        "estimated": False,
        "source": "forecast",
    }
