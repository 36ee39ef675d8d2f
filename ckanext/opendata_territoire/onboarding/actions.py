"""Actions of this feature (listed in __all__, gathered by logic/action.py)."""

__all__: list[str] = []
