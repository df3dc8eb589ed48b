"""Footprint charts: a figure's steps drawn from above, like a technique book.

Both roles are replayed on the floor from the figure's start position with the leader
facing up the page. Each footprint is numbered in the order of its role's steps and
labelled with its count; a taken step is filled, a tap or point is hollow; a curved arrow
marks a turn with its amount. Two panels, the leader's steps and the follower's, each
with the partner's feet drawn lighter; the leader's feet are blue, the follower's red.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from pasdeux._folder import check_names_free, folder_errors, probe_writable, write_manifest
from pasdeux._json import write_text_atomic
from pasdeux.dances import DanceStyle, Figure
from pasdeux.dances.geometry import ReplayedStep, couple_start, replay_figure

__all__ = ["check_footprint_folder", "footprint_svg", "write_footprint_charts"]

_PX_PER_M = 260.0
_MARGIN_PX = 60.0
_FOOT_LENGTH_M = 0.24
_FOOT_WIDTH_M = 0.09
_COLOURS = {"leader": "#2b6cb0", "follower": "#c53030"}
_FRACTIONS = {1: "1/8", 2: "1/4", 3: "3/8", 4: "1/2", 5: "5/8", 6: "3/4", 7: "7/8", 8: "1"}


def _turn_label(eighths: float) -> str:
    side = "R" if eighths > 0 else "L"
    amount = abs(eighths)
    if float(amount).is_integer() and int(amount) in _FRACTIONS:
        return f"{_FRACTIONS[int(amount)]} {side}"
    return f"{amount:g}/8 {side}"


def footprint_svg(style: DanceStyle, figure: Figure) -> str:
    """The footprint chart of one figure as an SVG document.

    Two panels, as in a technique book: the leader's steps, then the follower's, each
    with the partner's footprints drawn lighter in the partner's colour.
    """
    leader, follower = couple_start((0.0, 0.0), math.pi / 2, figure.start_position)
    starts = {
        "leader": (leader.feet["L"].copy(), leader.feet["R"].copy(), leader.facing_rad),
        "follower": (follower.feet["L"].copy(), follower.feet["R"].copy(), follower.facing_rad),
    }
    steps = replay_figure(figure, leader, follower)
    xs = [p[0] for s in steps for p in (s.foot_from, s.foot_to)]
    ys = [p[1] for s in steps for p in (s.foot_from, s.foot_to)]
    min_x, max_x = min(xs) - 0.35, max(xs) + 0.35
    min_y, max_y = min(ys) - 0.35, max(ys) + 0.35
    panel_w = max((max_x - min_x) * _PX_PER_M + 2 * _MARGIN_PX, 320.0)
    panel_h = (max_y - min_y) * _PX_PER_M + 2 * _MARGIN_PX
    top = 70.0
    width, height = 2 * panel_w, panel_h + top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">',
        f"<title>{html.escape(figure.name)} ({html.escape(style.name)})</title>",
        '<rect width="100%" height="100%" fill="#fffdf8"/>',
        f'<text x="20" y="28" font-size="18" font-weight="bold">{html.escape(figure.name)}</text>',
        f'<text x="20" y="50" font-size="12" fill="#4a5568">{html.escape(style.name)} · '
        f"{html.escape(figure.counts)} · start {html.escape(figure.start_position)}, end "
        f"{html.escape(figure.end_position)} · grey: where the feet start · hollow: no weight"
        "</text>",
    ]
    for panel, role in enumerate(("leader", "follower")):
        x_offset = panel * panel_w

        def to_px(x: float, y: float, x_offset: float = x_offset) -> tuple[float, float]:
            return (
                x_offset + _MARGIN_PX + (x - min_x) * _PX_PER_M,
                top + _MARGIN_PX + (max_y - y) * _PX_PER_M,
            )

        parts.append(
            f'<text x="{x_offset + 20:.0f}" y="{top + 16:.0f}" font-size="14" '
            f'font-weight="bold" fill="{_COLOURS[role]}">{role.capitalize()}</text>'
        )
        if panel:
            parts.append(
                f'<line x1="{x_offset:.0f}" y1="{top:.0f}" x2="{x_offset:.0f}" '
                f'y2="{height:.0f}" stroke="#e2e8f0"/>'
            )
        for who, (left, right, facing) in starts.items():
            for foot, xy in (("L", left), ("R", right)):
                parts.append(
                    _foot(to_px, xy[0], xy[1], facing, foot, "#a0aec0", True, "", "", who == role)
                )
        for rs in steps:
            if rs.role != role:
                parts.append(
                    _foot(
                        to_px,
                        rs.foot_to[0],
                        rs.foot_to[1],
                        rs.facing_after,
                        rs.step.foot,
                        _COLOURS[rs.role],
                        not rs.step.weight,
                        str(rs.index + 1),
                        "",
                        False,
                    )
                )
        last_xy: dict[str, tuple[float, float]] = {}
        for rs in steps:
            if rs.role != role:
                continue
            colour = _COLOURS[role]
            start = last_xy.get(rs.step.foot, rs.foot_from)
            (x0, y0), (x1, y1) = to_px(*start), to_px(*rs.foot_to)
            if math.dist((x0, y0), (x1, y1)) > 3:
                parts.append(
                    f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                    f'stroke="{colour}" stroke-opacity="0.5" stroke-dasharray="4 3"/>'
                )
            last_xy[rs.step.foot] = rs.foot_to
            parts.append(
                _foot(
                    to_px,
                    rs.foot_to[0],
                    rs.foot_to[1],
                    rs.facing_after,
                    rs.step.foot,
                    colour,
                    not rs.step.weight,
                    str(rs.index + 1),
                    rs.step.count,
                    True,
                    step_key=f"{role}-{rs.index}",
                )
            )
            if rs.step.turn_eighths:
                parts.append(_turn_arrow(to_px, rs, colour))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _foot(
    to_px: object,
    x: float,
    y: float,
    facing: float,
    foot: str,
    colour: str,
    hollow: bool,
    number: str,
    count: str,
    own: bool,
    *,
    step_key: str = "",
) -> str:
    """One footprint; ``step_key`` (``"leader-2"``: the role and the step's index) marks a
    role's own step, so that a page can light the step danced now."""
    assert callable(to_px)
    cx, cy = to_px(x, y)
    angle = -math.degrees(facing)  # SVG y grows downwards
    rx, ry = _FOOT_LENGTH_M * _PX_PER_M / 2, _FOOT_WIDTH_M * _PX_PER_M / 2
    fill = "none" if hollow else colour
    opacity = "1" if own else "0.3"
    out = [
        f'<g transform="translate({cx:.1f},{cy:.1f}) rotate({angle:.1f})" opacity="{opacity}"'
        + (f' data-step="{step_key}"' if step_key else "")
        + ">",
        f'<ellipse rx="{rx:.1f}" ry="{ry:.1f}" fill="{fill}" fill-opacity="0.25" '
        f'stroke="{colour}" stroke-width="1.5"/>',
        f'<circle cx="{rx * 0.55:.1f}" cy="0" r="{ry * 0.5:.1f}" fill="{colour}" '
        f'fill-opacity="{0.15 if hollow else 0.6}"/>',
        "</g>",
    ]
    if number:
        out.append(
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="12" font-weight="bold" '
            f'text-anchor="middle" fill="{colour}" opacity="{opacity}">{html.escape(number)}'
            "</text>"
        )
    if number and own:
        out.append(
            f'<text x="{cx:.1f}" y="{cy + ry + 14:.1f}" font-size="10" text-anchor="middle" '
            f'fill="#4a5568">{html.escape(foot)}F {html.escape(count)}</text>'
        )
    return "\n".join(out)


def _turn_arrow(to_px: object, rs: ReplayedStep, colour: str) -> str:
    assert callable(to_px)
    cx, cy = to_px(*rs.foot_to)
    radius = 26.0
    clockwise = rs.step.turn_eighths > 0
    sweep_deg = min(300.0, abs(rs.step.turn_eighths) * 45.0)
    start_deg = -90.0
    end_deg = start_deg + (sweep_deg if clockwise else -sweep_deg)

    def point(deg: float) -> tuple[float, float]:
        r = math.radians(deg)
        return cx + radius * math.cos(r), cy + radius * math.sin(r)

    (x0, y0), (x1, y1) = point(start_deg), point(end_deg)
    large = 1 if sweep_deg > 180 else 0
    sweep = 1 if clockwise else 0
    head = math.radians(end_deg + (90 if clockwise else -90))
    hx, hy = x1 + 6 * math.cos(head), y1 + 6 * math.sin(head)
    lx, ly = x1 + 6 * math.cos(head + 2.2), y1 + 6 * math.sin(head + 2.2)
    rx, ry = x1 + 6 * math.cos(head - 2.2), y1 + 6 * math.sin(head - 2.2)
    return (
        f'<path d="M{x0:.1f},{y0:.1f} A{radius},{radius} 0 {large} {sweep} {x1:.1f},{y1:.1f}" '
        f'fill="none" stroke="{colour}" stroke-width="1.2"/>'
        f'<polygon points="{hx:.1f},{hy:.1f} {lx:.1f},{ly:.1f} {rx:.1f},{ry:.1f}" '
        f'fill="{colour}"/>'
        f'<text x="{cx + radius + 4:.1f}" y="{cy - radius + 4:.1f}" font-size="10" '
        f'fill="{colour}">{_turn_label(rs.step.turn_eighths)}</text>'
    )


_CHARTS_MANIFEST = ".pasdeux-charts"


def _chart_names(style: DanceStyle) -> list[str]:
    return [f"{style.id}-{fig.id}.svg" for fig in style.figures] + [f"{style.id}.html"]


def check_footprint_folder(styles: Sequence[DanceStyle], out_dir: str | Path) -> None:
    """Check that the charts of ``styles`` may be written into ``out_dir``, before any is.

    ``out_dir`` may hold anything; but a file there with the name of a chart is
    overwritten only if pasdeux wrote it (it is listed, unchanged, in the folder's
    ``.pasdeux-charts`` manifest). The folder must be writable (really tried).

    Raises
    ------
    InputError
        Naming the file pasdeux would overwrite, or the folder it cannot write.
    """
    out = Path(out_dir).resolve()
    with folder_errors(out):
        check_names_free(out, _CHARTS_MANIFEST, [n for s in styles for n in _chart_names(s)])
        probe_writable(out / _CHARTS_MANIFEST, report=out)


def write_footprint_charts(style: DanceStyle, out_dir: str | Path) -> list[Path]:
    """Write one SVG per figure of ``style`` and an ``index.html`` that shows them all.

    Files of the user's are never overwritten (see :func:`check_footprint_folder`); the
    files written are added to the folder's ``.pasdeux-charts`` manifest.

    Returns
    -------
    list of Path
        The files written, the index last.
    """
    out = Path(out_dir)
    check_footprint_folder([style], out)
    keep = check_names_free(out.resolve(), _CHARTS_MANIFEST, ())
    written: list[Path] = []
    with folder_errors(out):
        try:
            out.mkdir(parents=True, exist_ok=True)
            _write_charts(style, out, written)
        finally:
            if written:  # list what was written, even if not all of it was
                write_manifest(out, _CHARTS_MANIFEST, (p.name for p in written), keep)
    return written


def _write_charts(style: DanceStyle, out: Path, written: list[Path]) -> None:
    cards = []
    for fig in style.figures:
        path = out / f"{style.id}-{fig.id}.svg"
        write_text_atomic(path, footprint_svg(style, fig))
        written.append(path)
        cards.append(
            f"<figure><img src='{html.escape(path.name)}' alt='{html.escape(fig.name)}'>"
            f"<figcaption>{html.escape(fig.name)}: {html.escape(fig.description)}"
            "</figcaption></figure>"
        )
    index = out / f"{style.id}.html"
    write_text_atomic(
        index,
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(style.name)} footprints</title><style>body{{font:14px "
        "system-ui,sans-serif;margin:2rem}}figure{{display:inline-block;vertical-align:top;"
        "margin:1rem;max-width:40rem}}img{{max-width:100%}}</style></head><body>"
        f"<h1>{html.escape(style.name)}: footprint charts</h1>" + "".join(cards) + "</body></html>",
    )
    written.append(index)
