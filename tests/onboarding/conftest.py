"""The onboarding tests use the shared territory of tests/people.py."""

from tests.people import ROLES, headers, territory, user_of

__all__ = ["ROLES", "headers", "territory", "user_of"]
