"""Onboarding: the guide, the readiness checklist and its answers."""
