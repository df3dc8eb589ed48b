"""What a user or a packager reads before the code: the licence file matches pyproject."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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


def test_readme_shows_a_screenshot_of_the_3d_view() -> None:
    """The README's first picture is docs/viewer.png, a whole window's PNG (scripts/
    screenshot.py takes it at 1400 x 820)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/viewer.png)" in readme.split("## ", 1)[0]
    head = (ROOT / "docs" / "viewer.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert (width, height) == (1400, 820)


@pytest.mark.parametrize(
    "bundle", ["src/pasdeux/render/viewer.bundle.js", "src/pasdeux/serve/static/live.bundle.js"]
)
def test_the_shipped_viewer_bundle_is_built_from_its_sources(tmp_path: Path, bundle: str) -> None:
    """esbuild, run as `make viewer` runs it, makes the very bundles that ship (so the
    committed viewer and live page bundles are not stale)."""
    import json
    import shlex
    import subprocess

    esbuild = ROOT / "viewer" / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.skip("viewer/node_modules not installed (make viewer-lint installs it)")
    build = json.loads((ROOT / "viewer" / "package.json").read_text())["scripts"]["build"]
    shipped = ROOT / bundle
    commands = [shlex.split(part) for part in build.split("&&")]
    argv = next(c for c in commands if f"--outfile=../{bundle}" in c)
    assert argv[0] == "esbuild"
    fresh = tmp_path / shipped.name
    argv = [str(esbuild)] + [
        f"--outfile={fresh}" if a.startswith("--outfile=") else a for a in argv[1:]
    ]
    subprocess.run(argv, cwd=ROOT / "viewer", check=True, capture_output=True)
    assert fresh.read_bytes() == shipped.read_bytes()
