"""Auth functions of this feature (listed in __all__, gathered by logic/auth.py)."""

__all__: list[str] = []
