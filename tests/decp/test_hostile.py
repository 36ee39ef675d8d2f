"""Hostile input: whatever a DECP file holds, the pipeline either gives
contracts or reports what is wrong (a rejection naming the contract, or a
read error saying how far the file was read); it never fails with another
exception (which would stop a harvest worker) and its memory stays bounded.

Property-based tests (hypothesis) drive the normaliser with records whose
values are replaced by anything JSON can hold; the readers get broken,
strangely encoded, deeply nested, huge and booby-trapped files."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp import CONCESSION, MARCHE, V2019, V2022
from ckanext.opendata_territoire.decp.cleaning import Rejected, clean
from ckanext.opendata_territoire.decp.model import contract_from
from ckanext.opendata_territoire.decp.writers import export_record, write_csv
from tests.decp.library import _library_only  # noqa: F401
from tests.decp.test_cleaning import MARCHE_2019, MARCHE_2022

TODAY = dt.date(2026, 6, 15)
examples = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Anything a JSON document can hold, as the readers give it: ijson refuses
# integers beyond 64 bits and floats beyond 1e308 as overflows (tested
# below), XML numbers are text until the cleaning reads them, and numbers are
# floats, never Decimals.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=1 - 2**63, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["NC", "nc", " ", "", "2024-13-45", "0000-00-00", "1e400"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mangled(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with some of its values replaced by anything, some keys
    removed and some added."""
    result = copy.deepcopy(record)
    keys = sorted(result)
    for key in draw(st.lists(st.sampled_from(keys), max_size=6, unique=True)):
        if draw(st.booleans()):
            result[key] = draw(JSON_VALUES)
        else:
            del result[key]
    extra = draw(st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=2))
    result.update(extra)
    return result


def _pipeline(version: str, kind: str, record: Any) -> None:
    """One record through the normaliser, the model and both writers: the
    only exception allowed is a rejection."""
    try:
        cleaned = clean(version, kind, record, today=TODAY)
    except Rejected as rejected:
        assert rejected.reason
        return
    contract = contract_from(cleaned)
    exported = export_record(contract)
    json.dumps(exported, allow_nan=False)  # DECP JSON has no NaN or Infinity
    out = io.StringIO()
    write_csv([contract], out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert len(rows) == 2  # the header and the contract


@examples
@given(mangled(MARCHE_2019))
def test_normaliser_survives_any_2019_record(record):
    _pipeline(V2019, MARCHE, record)


@examples
@given(mangled(MARCHE_2022))
def test_normaliser_survives_any_2022_record(record):
    _pipeline(V2022, MARCHE, record)


@examples
@given(mangled(MARCHE_2022))
def test_normaliser_survives_a_record_read_as_a_concession(record):
    _pipeline(V2022, CONCESSION, record)


@examples
@given(JSON_VALUES)
def test_normaliser_survives_anything_in_place_of_a_record(value):
    _pipeline(V2022, MARCHE, value)


@examples
@given(
    st.lists(
        st.one_of(mangled(MARCHE_2022), JSON_VALUES),
        min_size=1,
        max_size=5,
    )
)
def test_a_list_of_anything_is_read_or_reported_record_by_record(items):
    data = json.dumps({"marches": {"marche": items}}).encode()
    report = decp.Report()
    contracts = list(decp.read_contracts(io.BytesIO(data), report=report))

    assert report.read == len(items)
    assert len(contracts) + report.rejected_count + report.duplicates == len(items)
    for rejection in report.as_dict()["rejections"]:
        assert rejection["reason"]


# Files


def read_all(data: bytes) -> tuple[list[decp.Contract], decp.Report]:
    report = decp.Report()
    contracts = list(decp.read_contracts(io.BytesIO(data), report=report))
    return contracts, report


def refused(data: bytes) -> decp.DecpReadError:
    with pytest.raises(decp.DecpReadError) as error:
        read_all(data)
    return error.value


def one_marche(**changes: Any) -> bytes:
    return json.dumps(
        {"marches": {"marche": [dict(MARCHE_2022, **changes)]}}, ensure_ascii=False
    ).encode()


def test_a_file_in_latin_1_is_refused_with_its_position():
    data = one_marche(objet="Déneigement des voiries").decode().encode("latin-1")

    error = refused(data)

    assert "after 0 records" in str(error)


def test_a_file_in_utf_16_is_not_taken_for_decp():
    data = one_marche().decode().encode("utf-16")

    error = refused(data)

    assert "DECP" in str(error) or "JSON" in str(error)


def test_a_binary_file_is_not_taken_for_decp():
    error = refused(bytes(range(256)) * 40)

    assert str(error)


@pytest.mark.parametrize("where", ["record", "head"])
def test_deeply_nested_json_is_refused_in_bounded_memory(where):
    # ijson's memory grows with the square of the depth: 100,000 levels
    # would take 25 GB and get the worker killed.
    depth = 100_000
    nested = "[" * depth + "]" * depth
    if where == "record":
        text = f'{{"marches": {{"marche": [{{"id": "1", "objet": {nested}}}]}}}}'
    else:
        text = f'{{"before": {nested}, "marches": {{"marche": []}}}}'

    tracemalloc.start()
    try:
        error = refused(text.encode())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "nested more than 4096 levels deep after 0 records" in str(error)
    assert peak < 50_000_000


def test_nesting_a_decp_file_needs_is_read():
    depth = 200  # far more than any DECP record nests
    nested = "[" * depth + '"x"' + "]" * depth
    text = one_marche().decode()
    text = text.replace('{"id": "2024-0042"', f'{{"id": "2024-0042", "autre": {nested}')
    assert nested in text

    contracts, _report = read_all(text.encode())

    assert len(contracts) == 1


def test_deeply_nested_xml_is_an_error_not_a_crash():
    depth = 100_000
    data = (
        b"<marches><marche><id>1</id><objet>"
        + b"<a>" * depth
        + b"x"
        + b"</a>" * depth
        + b"</objet></marche></marches>"
    )

    error = refused(data)

    assert "XML" in str(error)


def test_a_huge_string_is_read_in_bounded_memory():
    huge = "x" * 20_000_000
    data = one_marche(objet=huge)

    tracemalloc.start()
    try:
        contracts, _report = read_all(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert len(contracts) == 1
    # The string itself and a few copies, not the file many times over.
    assert peak < 5 * len(data)


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        ('"1e400"', "absurd_amount"),  # text that reads as infinity
        ('"-1e400"', "absurd_amount"),
        ('"1' + "0" * 400 + '"', "absurd_amount"),  # a 401-digit integer as text
        ('"1 200,50"', "typed_text"),
    ],
)
def test_huge_numbers_are_removed_as_absurd_amounts(amount, rule):
    text = one_marche().decode().replace('"montant": 120000', f'"montant": {amount}')
    assert amount in text

    contracts, report = read_all(text.encode())

    assert len(contracts) == 1
    assert report.as_dict()["cleaned"] == {rule: 1}
    if rule == "absurd_amount":
        assert contracts[0].montant is None


@pytest.mark.parametrize("months", ['"1e400"', '"1' + "0" * 400 + '"', "12.5"])
def test_impossible_counts_are_removed(months):
    text = one_marche().decode().replace('"dureeMois": 24', f'"dureeMois": {months}')
    assert months in text

    contracts, report = read_all(text.encode())

    assert len(contracts) == 1
    assert report.as_dict()["cleaned"] == {"bad_value": 1}
    assert "dureeMois" not in export_record(contracts[0])


@pytest.mark.parametrize("amount", ["1e400", "1" + "0" * 30])
def test_a_number_too_large_for_json_stops_the_file_clearly(amount):
    text = one_marche().decode().replace('"montant": 120000', f'"montant": {amount}')

    error = refused(text.encode())

    assert "invalid JSON after 0 records" in str(error)
    assert "overflow" in str(error)


def test_xml_numbers_that_read_as_infinity_are_removed():
    data = b"""<marches><marche><id>1</id><acheteur><id>21380548400011</id></acheteur>
<objet>Voirie</objet><montant>1e400</montant><dureeMois>1e400</dureeMois>
<ccag>Travaux</ccag></marche></marches>"""

    contracts, report = read_all(data)

    assert len(contracts) == 1
    exported = export_record(contracts[0])
    assert "montant" not in exported and "dureeMois" not in exported
    json.dumps(exported, allow_nan=False)
    assert report.as_dict()["cleaned"]["absurd_amount"] == 1


def test_billion_laughs_is_not_expanded():
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f'<!ENTITY lol{level} "{previous * 10}">')
    data = f"""<?xml version="1.0"?>
<!DOCTYPE marches [{"".join(entities)}]>
<marches><marche><id>1</id><acheteur><id>21380548400011</id></acheteur>
<objet>&lol9;</objet><ccag>Travaux</ccag></marche></marches>""".encode()

    tracemalloc.start()
    try:
        error = refused(data)  # libxml2 stops the amplification
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "amplification" in str(error)
    assert peak < 10_000_000  # 10⁹ "lol" would be gigabytes


def test_external_dtd_and_network_entities_are_not_fetched(tmp_path):
    data = b"""<?xml version="1.0"?>
<!DOCTYPE marches SYSTEM "http://127.0.0.1:9/never.dtd" [
<!ENTITY remote SYSTEM "http://127.0.0.1:9/never">]>
<marches><marche><id>1</id><acheteur><id>21380548400011</id></acheteur>
<objet>a &remote; b</objet><ccag>Travaux</ccag></marche></marches>"""

    (record,) = decp.read_records(io.BytesIO(data))

    assert record.data["id"] == "1"


@pytest.mark.parametrize(
    "data",
    [
        b"{}",
        b"[]",
        b'{"data": [{"id": 1}]}',
        b'{"marches": 12}',
        b'"marches"',
        b"",
        b"<html><body>Erreur 500</body></html>",
        b'<?xml version="1.0"?>\n<!-- x --><rss><channel/></rss>',
    ],
)
def test_non_decp_documents_are_refused_clearly(data):
    error = refused(data)

    assert str(error)
