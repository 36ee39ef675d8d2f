"""ckanext-opendata-territoire: one shared open-data catalogue for an EPCI and its
member communes."""
