"""Local-authority metadata: choice lists, validators, the French DCAT-AP
profile and the data.gouv.fr compatibility layer."""
