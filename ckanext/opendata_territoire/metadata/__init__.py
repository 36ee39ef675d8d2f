"""Local-authority metadata: choice lists, validators, facets and the French
DCAT-AP profile (what data.gouv.fr reads from package_show is datagouv/exposed.py)."""
