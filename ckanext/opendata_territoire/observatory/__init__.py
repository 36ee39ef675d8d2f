"""The procurement observatory: supplier locality (SIRENE search service and
the EPCI's register of local firms), a table of contracts derived from the
buyers' DataStore tables, the figures, the actions and the page."""
