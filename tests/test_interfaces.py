"""The hooks the features talk through (interfaces.py): the plugin listens
and answers for the observatory and the peers, and the DECP publication
merges what the plugins that know firms' names answer."""

from __future__ import annotations

from ckan import plugins

from ckanext.opendata_territoire.decp import publish
from ckanext.opendata_territoire.interfaces import (
    IProcurementListener,
    ISupplierNames,
)


def _names(interface) -> list[str]:
    return [type(p).__name__ for p in plugins.PluginImplementations(interface)]


def test_the_plugin_listens_to_the_procurement_news():
    assert "OpendataTerritoirePlugin" in _names(IProcurementListener)
    assert "OpendataTerritoirePlugin" in _names(ISupplierNames)


def test_no_siret_asks_nobody(monkeypatch):
    asked = []

    class Directory:
        def supplier_names(self, sirets):
            asked.append(sirets)
            return {}, {}

    monkeypatch.setattr(publish, "PluginImplementations", lambda i: [Directory()])
    assert publish.supplier_names(set()) == ({}, {})
    assert asked == []


def test_the_first_directory_that_knows_a_firm_names_it(monkeypatch):
    class First:
        def supplier_names(self, sirets):
            return {"1": "Register one"}, {"2": "Sirene two"}

    class Second:
        def supplier_names(self, sirets):
            return {"1": "Other", "3": "Register three"}, {"2": "Other"}

    monkeypatch.setattr(publish, "PluginImplementations", lambda i: [First(), Second()])
    assert publish.supplier_names({"1", "2", "3"}) == (
        {"1": "Register one", "3": "Register three"},
        {"2": "Sirene two"},
    )
