"""data.gouv.fr, both ways: its datasets harvested here (harvester.py, plugin
``udata_harvester``; the field mapping, mapping.py), its API client, also
used by the DECP harvester and the peers' refresh (client.py), and what
data.gouv.fr reads from us, package_show made harvestable (exposed.py)."""
