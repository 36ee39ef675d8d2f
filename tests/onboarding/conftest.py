"""The onboarding tests use the territory of tests/roles.py."""

from tests.roles import ROLES, headers

__all__ = ["ROLES", "headers"]
