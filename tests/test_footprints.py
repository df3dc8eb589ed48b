"""Footprint charts: one well-formed SVG per figure with both roles' numbered steps."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

from pasdeux.dances import find_style, load_library
from pasdeux.render import footprint_svg, write_footprint_charts

SVG = "{http://www.w3.org/2000/svg}"


def test_every_figure_of_every_dance_draws_as_valid_svg() -> None:
    for style in load_library():
        for figure in style.figures:
            root = ET.fromstring(footprint_svg(style, figure))
            assert root.tag == f"{SVG}svg"
            texts = [t.text or "" for t in root.iter(f"{SVG}text")]
            assert figure.name in texts
            # Two panels; in each, every step of both roles is a footprint (plus the 4
            # starting feet).
            n_steps = len(figure.leader) + len(figure.follower)
            assert len(list(root.iter(f"{SVG}ellipse"))) == 2 * (n_steps + 4)
            assert "Leader" in texts and "Follower" in texts
            for role, steps in (("leader", figure.leader), ("follower", figure.follower)):
                for n in range(1, len(steps) + 1):
                    assert str(n) in texts, (style.name, figure.id, role, n)
            # each role's own steps, once each, marked by role and index (a page lights them)
            keys = [g.get("data-step") for g in root.iter(f"{SVG}g") if g.get("data-step")]
            assert keys == [f"leader-{k}" for k in range(len(figure.leader))] + [
                f"follower-{k}" for k in range(len(figure.follower))
            ]


def test_turns_are_marked_with_their_amount() -> None:
    waltz = find_style("Waltz")
    svg = footprint_svg(waltz, waltz.figure("natural_turn"))
    assert "1/4 R" in svg or "1/8 R" in svg
    assert "1/4 L" not in svg


def test_write_footprint_charts_writes_an_index(tmp_path: Path) -> None:
    style = find_style("Salsa")
    written = write_footprint_charts(style, tmp_path)
    assert len(written) == len(style.figures) + 1
    index = written[-1].read_text()
    for figure in style.figures:
        assert html.escape(figure.name) in index
