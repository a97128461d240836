"""Where the bundled data files live (deprivation indices, rule sets, demo list)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("rules", "treat-in-turn.toml")``."""
    return RESOURCES.joinpath(*parts)
