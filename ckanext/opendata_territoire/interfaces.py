"""The hooks this extension's features talk through.

A feature that has news for another does not import it: it calls the
implementations of an interface declared here, and the plugin that wires the
features (plugin.py) implements it by forwarding to the feature that
listens. Another CKAN extension may implement them too (in the manner of
ckanext-dcat's ``IDCATRDFHarvester``)::

    import ckan.plugins as p
    from ckanext.opendata_territoire.interfaces import IProcurementListener

    class MyPlugin(p.SingletonPlugin):
        p.implements(IProcurementListener, inherit=True)

        def buyer_contracts_changed(self, organization, siren):
            ...

Why an interface rather than a ``ckan.lib.signals`` (blinker) signal: an
interface is declared in one place with its arguments and its contract,
type-checked, listed by ``PluginImplementations`` in the order of
``ckan.plugins``, and it can answer (``ISupplierNames``), which a signal does
awkwardly; a signal's receivers are found only by grepping ``connect``.

Who calls what:

- the DECP publication (decp/publish.py, for ``ckan territoire decp import``
  and the DECP harvester) calls ``IProcurementListener.buyer_contracts_changed``
  after a buyer's published table changed, and ``ISupplierNames.supplier_names``
  to name the contracts' titulaires; the observatory listens and answers;
- the DECP harvester (decp/harvester.py) calls
  ``IProcurementListener.decp_files_read`` after a gather that read files;
  the peers' refresh (peers/refresh.py) listens.
"""

from __future__ import annotations

from typing import Any

from ckan.plugins.interfaces import Interface


class IProcurementListener(Interface):
    """Told when the published procurement data (DECP) changes.

    An implementation's exception is logged and swallowed by the caller: the
    published contracts stay as they are, whatever a listener does."""

    def buyer_contracts_changed(self, organization: dict[str, Any], siren: str) -> None:
        """The buyer's procurement dataset in ``organization`` (its
        organization_show dict) had contracts inserted or updated, by an
        import or a harvest; ``siren`` is the buyer's SIREN. Called once per
        buyer and publication, after the DataStore table is written (the
        observatory copies the table into its awards table)."""

    def decp_files_read(self, files: list[Any]) -> None:
        """A DECP harvest's gather read ``files`` (datagouv/client.py
        ``RemoteFile`` objects: url, title, format, checksum...). Called once
        per gather that read at least one file; it must not fail the gather
        (the peers' refresh queues a background job when one is the national
        tabular consolidation)."""


class ISupplierNames(Interface):
    """Knows the names of firms, by SIRET (the EPCI's register of local
    firms, SIRENE's saved answers)."""

    def supplier_names(self, sirets: set[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The names known for ``sirets``: (the register's, SIRENE's), each a
        dict SIRET -> name with only the SIRETs known. The DECP publication
        names the titulaires of the rows it writes with them, the register
        first; with no implementation, titulaires keep the names the source
        gave."""
        return {}, {}
