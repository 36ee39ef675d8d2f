"""Property-based tests of the metadata validators (hypothesis): whatever a
form or an API client sends, a validator either gives back a clean value or
refuses it with CKAN's Invalid (a message for the user), never another
exception (a server error); and what it accepts keeps its meaning."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from ckan.lib.navl.dictization_functions import Invalid, StopOnError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ckanext.opendata_territoire.metadata import validators as v

pytestmark = pytest.mark.usefixtures("with_request_context")
# The request context is the same for every example: hypothesis may reuse it.
examples = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SIMPLE_VALIDATORS = [
    v.territoire_siren,
    v.territoire_siret,
    v.territoire_insee_code,
    v.territoire_email,
    v.territoire_url,
    v.territoire_date,
    v.territoire_positive_int,
    v.territoire_hash,
    v.territoire_schema_version,
]
ANY_INPUT = (
    st.text()
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.lists(st.text(), max_size=3)
    | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
)


def luhn_completed(digits: str) -> str:
    """``digits`` followed by the digit that makes the Luhn sum a multiple of
    10 (the check digit of SIREN and SIRET)."""
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


sirens = st.text("0123456789", min_size=8, max_size=8).map(luhn_completed)
# A SIRET is the SIREN (itself Luhn-valid), a 4-digit establishment number and
# a check digit over the 14.
sirets = st.tuples(sirens, st.text("0123456789", min_size=4, max_size=4)).map(
    lambda parts: luhn_completed("".join(parts))
)


@pytest.mark.parametrize("validator", SIMPLE_VALIDATORS, ids=lambda f: f.__name__)
@examples
@given(value=ANY_INPUT)
def test_a_validator_accepts_or_refuses_but_never_crashes(validator, value):
    try:
        validator(value)
    except Invalid as error:
        assert str(error.error)


@examples
@given(siren=sirens, separator=st.sampled_from(["", " ", ".", "\u00a0"]))
def test_a_valid_siren_is_kept_as_its_nine_digits(siren, separator):
    written = separator.join([siren[:3], siren[3:6], siren[6:]])

    assert v.territoire_siren(written) == siren


@examples
@given(siren=sirens, position=st.integers(0, 8), shift=st.integers(1, 9))
def test_a_siren_with_one_wrong_digit_is_refused(siren, position, shift):
    wrong = siren[:position] + str((int(siren[position]) + shift) % 10)
    wrong += siren[position + 1 :]

    with pytest.raises(Invalid, match="Luhn"):
        v.territoire_siren(wrong)


@examples
@given(siret=sirets)
def test_a_valid_siret_is_kept(siret):
    # La Poste's establishments (SIREN 356000000) follow another rule.
    if not siret.startswith("356000000"):
        assert v.territoire_siret(f"{siret[:9]} {siret[9:]}") == siret


@examples
@given(digits=st.text(st.characters(categories=["Nd"]), min_size=9, max_size=14))
def test_only_ascii_digits_make_a_siren_or_siret(digits):
    if digits.isascii():
        return
    for validator in (v.territoire_siren, v.territoire_siret):
        with pytest.raises(Invalid):
            validator(digits)


@examples
@given(day=st.dates())
def test_a_date_keeps_its_day_whatever_its_iso_form(day):
    assert v.territoire_date(day.isoformat()) == day.isoformat()
    assert v.territoire_date(f"{day.isoformat()}T12:30:00") == day.isoformat()
    assert v.territoire_date(day) == day.isoformat()


@examples
@given(number=st.integers(min_value=0, max_value=10**12))
def test_a_whole_number_is_read_with_or_without_thousands_separators(number):
    grouped = f"{number:,}".replace(",", "\u202f")

    assert v.territoire_positive_int(str(number)) == number
    assert v.territoire_positive_int(grouped) == number


@examples
@given(number=st.integers(max_value=-1))
def test_a_negative_number_is_refused(number):
    with pytest.raises(Invalid, match=str(number)):
        v.territoire_positive_int(str(number))


@examples
@given(text=st.text())
@example(text="²")  # a digit for str.isdigit(), not for int()
def test_int_output_gives_numbers_back_and_leaves_the_rest(text):
    expected = int(text) if text.isascii() and text.isdigit() else text

    assert v.territoire_int_output(text) == expected


@examples
@given(
    digest=st.sampled_from([32, 40, 64]).flatmap(
        lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n)
    ),
    prefix=st.sampled_from(["", "sha256:", "MD5:"]),
)
def test_a_checksum_is_kept_in_lower_case(digest, prefix):
    assert v.territoire_hash(prefix + digest) == digest.lower()


@examples
@given(items=st.lists(st.text(max_size=12), max_size=6) | st.text(max_size=40))
def test_a_list_of_codes_is_stored_clean_or_refused_with_messages(items):
    key = ("spatial_insee",)
    data = {key: items}
    errors: dict = defaultdict(list)

    try:
        v.territoire_insee_codes(key, data, errors, {})
    except StopOnError:
        # Refused (messages for the user) or empty (the field is left out).
        assert errors[key] or key not in data
        return
    codes = json.loads(data[key])
    assert codes
    assert len(codes) == len(set(codes))
    assert all(isinstance(code, str) for code in codes)
