"""The territory among its peers: the observatory's figures for every EPCI
of France, from the national tabular consolidation of the DECP (compute.py),
kept small in CKAN's database (model.py), refreshed by a command and after
each harvest of the national file (refresh.py), compared with the EPCIs of
the same kind and a similar population (figures.py): an action, a CSV file
and a section of the observatory's page."""
