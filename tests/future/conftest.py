"""The contracts to come: the SIRENE stand-in of the observatory's tests
(the import resolves the titulaires)."""

from tests.observatory.conftest import sirene  # noqa: F401
