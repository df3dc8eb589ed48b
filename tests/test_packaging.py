"""What a user or a packager reads before the code: the licence file matches pyproject."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_license_file_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_readme_states_the_networks_licence_for_commercial_users() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in readme
    assert "commercial" in readme
