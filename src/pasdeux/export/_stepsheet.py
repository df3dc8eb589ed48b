"""The step sheet: the routine as a dancer learns it, in Markdown and printable HTML."""

from __future__ import annotations

import html
from pathlib import Path

from pasdeux._folder import shown
from pasdeux.choreo import Routine
from pasdeux.dances import Figure, describe_step
from pasdeux.music import MusicMap

__all__ = ["describe_step", "stepsheet_html", "stepsheet_markdown"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes)}:{rest:04.1f}"


def _figure_rows(figure: Figure) -> list[tuple[str, str, str, str]]:
    """(count, leader, follower, hold) rows, steps aligned on their beats."""
    beats = sorted({s.beat for s in figure.leader} | {s.beat for s in figure.follower})
    rows = []
    for beat in beats:
        ldr = next((s for s in figure.leader if s.beat == beat), None)
        flw = next((s for s in figure.follower if s.beat == beat), None)
        first = ldr or flw
        count = first.count if first else ""
        hold = (ldr.hold if ldr else "").replace("_", " ")
        rows.append(
            (
                count,
                describe_step(ldr) if ldr else "",
                describe_step(flw) if flw else "",
                hold,
            )
        )
    return rows


def _unique_figures(routine: Routine) -> list[tuple[str, Figure]]:
    seen: dict[tuple[str, str], Figure] = {}
    for p in routine.figures:
        seen.setdefault((p.dance, p.figure.id), p.figure)
    return [(dance, fig) for (dance, _), fig in seen.items()]


def _section_lines(music: MusicMap) -> list[str]:
    return [
        f"{_clock(s.start)}–{_clock(s.end)}: {s.meter}/4, {s.bpm:.0f} BPM "
        f"({s.bpm / s.meter:.0f} MPM), {s.dance}"
        for s in music.sections
    ]


def stepsheet_markdown(music: MusicMap, routine: Routine, title: str) -> str:
    """The step sheet as Markdown."""
    lines = [f"# {title}", ""]
    lines.append(
        f"Song: `{shown(Path(music.source).name)}`, {_clock(music.duration_s)} · "
        f"{music.meter}/4 at "
        f"{music.bpm:.0f} BPM ({music.mpm:.0f} MPM) · level {routine.level} · seed {routine.seed}"
    )
    lines += ["", "## Sections", ""] + [f"- {line}" for line in _section_lines(music)]
    lines += ["", "## Routine", "", "| # | time | bar | dance | figure | counts | note |"]
    lines.append("|---|---|---|---|---|---|---|")
    for n, p in enumerate(routine.figures, start=1):
        lines.append(
            f"| {n} | {_clock(p.start_s)} | {p.bar} | {p.dance} | {p.figure.name} | "
            f"{p.figure.counts} | {p.why} |"
        )
    lines += ["", "## Figures", ""]
    for dance, fig in _unique_figures(routine):
        lines += [
            f"### {fig.name} ({dance}, {fig.bars:g} bar{'s' if fig.bars != 1 else ''}, "
            f"{fig.counts})",
            "",
            fig.description,
            "",
            "| count | leader | follower | hold |",
            "|---|---|---|---|",
        ]
        lines += [f"| {c} | {ldr} | {flw} | {h} |" for c, ldr, flw, h in _figure_rows(fig)]
        lines.append("")
    return "\n".join(lines) + "\n"


def stepsheet_html(music: MusicMap, routine: Routine, title: str) -> str:
    """The step sheet as a self-contained, printable HTML page."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p class='meta'>Song <code>{e(shown(Path(music.source).name))}</code>, "
        f"{_clock(music.duration_s)} · "
        f"{music.meter}/4 at {music.bpm:.0f} BPM ({music.mpm:.0f} MPM) · level "
        f"{e(routine.level)} · seed {routine.seed}</p>",
        "<h2>Sections</h2><ul>",
        *[f"<li>{e(line)}</li>" for line in _section_lines(music)],
        "</ul><h2>Routine</h2><table><tr><th>#</th><th>time</th><th>bar</th><th>dance</th>"
        "<th>figure</th><th>counts</th><th>note</th></tr>",
    ]
    for n, p in enumerate(routine.figures, start=1):
        parts.append(
            f"<tr><td>{n}</td><td>{_clock(p.start_s)}</td><td>{p.bar}</td><td>{e(p.dance)}</td>"
            f"<td>{e(p.figure.name)}</td><td>{e(p.figure.counts)}</td><td>{e(p.why)}</td></tr>"
        )
    parts.append("</table><h2>Figures</h2>")
    for dance, fig in _unique_figures(routine):
        parts.append(
            f"<section class='figure'><h3>{e(fig.name)} <small>{e(dance)} · {fig.bars:g} bar(s)"
            f" · {e(fig.counts)}</small></h3><p>{e(fig.description)}</p><table><tr>"
            "<th>count</th><th class='ldr'>leader</th><th class='flw'>follower</th>"
            "<th>hold</th></tr>"
        )
        for c, ldr, flw, h in _figure_rows(fig):
            parts.append(
                f"<tr><td>{e(c)}</td><td>{e(ldr)}</td><td>{e(flw)}</td><td>{e(h)}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a202c}
h1{font-size:1.6rem;margin-bottom:.2rem}.meta{color:#4a5568}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #cbd5e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#edf2f7}th.ldr{color:#2b6cb0}th.flw{color:#c53030}
small{color:#718096;font-weight:normal}section.figure{break-inside:avoid}
@media print{body{margin:0;font-size:12px}}
"""
