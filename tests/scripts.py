"""The project's scripts (dev/, bench/) loaded as modules by the tests that
use their code, once a session each."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def load(relative: str, name: str) -> ModuleType:
    """The script at ``relative`` (from the repository's root) as module
    ``name``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / relative)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # Registered before it runs: its dataclasses look their module up.
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
