"""Territory: EPCI and member communes, reference data, organizations."""
