"""The territory of the onboarding tests (the EPCI, two communes, people in
every role) and the datasets the quality tests publish in it."""

from __future__ import annotations

from tests.people import ROLES, headers  # noqa: F401

DESCRIPTION = (
    "Les délibérations du conseil municipal depuis 2020 : une ligne par "
    "délibération, avec sa date, son objet et le résultat du vote."
)


def user_of(place, role):
    """The user playing ``role`` in the territory fixture ``place``."""
    return None if role == "anonymous" else place["people"][role]


def context_of(place, role):
    user = user_of(place, role)
    return {"user": user["name"] if user else ""}


def complete_fields(**overrides):
    """Metadata meeting every criterion that does not depend on files."""
    return {
        "license_id": "odc-odbl",
        "personal_data": "none",
        "notes": DESCRIPTION,
        "frequency": "annual",
        "temporal_start": "2020-01-01",
        "spatial_insee": ["38153"],
        "contact_email": "mairie@engins.fr",
        **overrides,
    }
