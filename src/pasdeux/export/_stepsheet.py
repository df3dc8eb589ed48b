"""The step sheet: the routine as a dancer learns it, in Markdown and printable HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from pasdeux._folder import shown
from pasdeux.choreo import FollowedStep, Routine, misreadings
from pasdeux.dances import DanceStyle, Figure, describe_step, load_library
from pasdeux.music import MusicMap
from pasdeux.render import footprint_svg

__all__ = ["describe_step", "stepsheet_html", "stepsheet_markdown"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(max(seconds, 0.0), 1), 60.0)
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


def _reading_lines(
    music: MusicMap, reading: Sequence[FollowedStep]
) -> tuple[str, list[tuple[str, str, str, str, str, str, str]]]:
    """What the follower's reading says: one sentence, and a row per misreading (time,
    bar, he led, she read, her steps, back in his figure, moved back at most)."""
    wrong = misreadings(reading)
    hers = [s for s in reading if s.role == "follower"]
    right = sum(not s.wrong for s in hers)
    intro = (
        "The leader improvised and the follower did not know his figures: she read them "
        f"from his motion as he danced and danced what she read. {right} of her "
        f"{len(hers)} steps were the steps of the figure he led; she read him wrong "
        f"{len(wrong)} time{'s' if len(wrong) != 1 else ''}"
        + (" (below), and came back into his figure over her next steps." if wrong else ".")
        + _hijack_sentence(music, reading)
    )
    rows = []
    for m in wrong:
        bar = sum(1 for b in music.bars if b.start <= m.start_s + 1e-6) or 1
        rows.append(
            (
                _clock(m.start_s),
                str(bar),
                m.led_name,
                m.read_name,
                str(m.steps),
                "—" if m.back_s is None else _clock(m.back_s),
                f"{100 * m.recovery_m:.0f} cm",
            )
        )
    return intro, rows


def _hijack_sentence(music: MusicMap, reading: Sequence[FollowedStep]) -> str:
    """Where the follower led (a hijack) and how the leader read her, or nothing."""
    his = sorted((s for s in reading if s.role == "leader"), key=lambda s: s.time_s)
    if not his:
        return ""
    first, last = (
        sum(1 for b in music.bars if b.start <= t + 1e-6) or 1
        for t in (his[0].time_s, his[-1].time_s)
    )
    right = sum(not s.wrong for s in his)
    return (
        f" From bar {first} to bar {last} the follower led (a hijack: the figures noted "
        f'"led by the follower") and the leader read her: {right} of his {len(his)} steps '
        "there were the steps of the figure she led."
    )


_READING_HEAD = (
    "time",
    "bar",
    "he led",
    "she read",
    "her steps",
    "back in his figure",
    "moved back at most",
)


def stepsheet_markdown(
    music: MusicMap,
    routine: Routine,
    title: str,
    reading: Sequence[FollowedStep] | None = None,
) -> str:
    """The step sheet as Markdown (with ``reading``, the follower's steps as she read the
    leader: a section says where she read him wrong)."""
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
    if reading is not None:
        intro, rows = _reading_lines(music, reading)
        lines += ["", "## The follower reads the lead", "", intro]
        if rows:
            lines += ["", "| " + " | ".join(_READING_HEAD) + " |", "|---" * 7 + "|"]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
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
        lines += ["", _danced_line(routine, dance, fig), ""]
    return "\n".join(lines) + "\n"


def stepsheet_html(
    music: MusicMap,
    routine: Routine,
    title: str,
    reading: Sequence[FollowedStep] | None = None,
) -> str:
    """The step sheet as a self-contained HTML page that prints on A4 and Letter (with
    ``reading``, a section says where the follower read the leader wrong).

    The first pages hold the song, its sections and the routine; each dance's figures
    then start on a new page, every figure once, its step table beside its footprint
    chart (:func:`pasdeux.render.footprint_svg`, inline) and never cut by a page break.
    No network: the style sheet and the charts are in the page.
    """
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<section class='overview'><h1>{e(title)}</h1>",
        f"<p class='meta'>Song <code>{e(shown(Path(music.source).name))}</code>, "
        f"{_clock(music.duration_s)} · "
        f"{music.meter}/4 at {music.bpm:.0f} BPM ({music.mpm:.0f} MPM) · level "
        f"{e(routine.level)} · seed {routine.seed}</p>",
        "<h2>Sections</h2><ul>",
        *[f"<li>{e(line)}</li>" for line in _section_lines(music)],
        "</ul><h2>Routine</h2><table class='routine'><thead><tr><th>#</th><th>time</th>"
        "<th>bar</th><th>dance</th><th>figure</th><th>counts</th><th>note</th></tr></thead>"
        "<tbody>",
    ]
    for n, p in enumerate(routine.figures, start=1):
        parts.append(
            f"<tr><td>{n}</td><td>{_clock(p.start_s)}</td><td>{p.bar}</td><td>{e(p.dance)}</td>"
            f"<td>{e(p.figure.name)}</td><td>{e(p.figure.counts)}</td><td>{e(p.why)}</td></tr>"
        )
    parts.append("</tbody></table>")
    if reading is not None:
        parts.append(_reading_html(music, reading))
    parts.append("</section>")
    styles = {s.name: s for s in load_library()}
    by_dance: dict[str, list[Figure]] = {}
    for dance, fig in _unique_figures(routine):
        by_dance.setdefault(dance, []).append(fig)
    for dance, figures in by_dance.items():
        parts.append(f"<section class='dance'><h2>{e(dance)}: the figures</h2>")
        parts += [_figure_block(styles.get(dance), dance, fig, routine) for fig in figures]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _reading_html(music: MusicMap, reading: Sequence[FollowedStep]) -> str:
    """The section saying how the follower read the leader, as HTML."""
    e = html.escape
    intro, rows = _reading_lines(music, reading)
    out = f"<h2>The follower reads the lead</h2><p>{e(intro)}</p>"
    if rows:
        head = "".join(f"<th>{e(h)}</th>" for h in _READING_HEAD)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
        out += f"<table class='reading'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return out


def _figure_block(style: DanceStyle | None, dance: str, fig: Figure, routine: Routine) -> str:
    """One figure: its name, description, step table and footprint chart, and where in
    the routine it is danced; a block that printing never cuts."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(c)}</td><td>{e(ldr)}</td><td>{e(flw)}</td><td>{e(h)}</td></tr>"
        for c, ldr, flw, h in _figure_rows(fig)
    )
    chart = footprint_svg(style, fig) if style is not None else ""
    return (
        f"<article class='figure'><h3>{e(fig.name)} <small>{e(dance)} · {fig.bars:g} "
        f"bar{'s' if fig.bars != 1 else ''} · {e(fig.counts)}</small></h3>"
        f"<p>{e(fig.description)}</p><div class='pair'><table class='steps'><thead><tr>"
        "<th>count</th><th class='ldr'>leader</th><th class='flw'>follower</th>"
        f"<th>hold</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<div class='chart'>{chart}</div></div>"
        f"<p class='danced'>{e(_danced_line(routine, dance, fig))}</p></article>"
    )


def _danced_line(routine: Routine, dance: str, fig: Figure) -> str:
    """Where in the routine ``fig`` is danced: its bars and times."""
    danced = [p for p in routine.figures if p.dance == dance and p.figure.id == fig.id]
    where = ", ".join(f"bar {p.bar} ({_clock(p.start_s)})" for p in danced)
    return f"{fig.name}: danced {len(danced)}× in the routine, at {where}."


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1a202c}
h1{font-size:1.6rem;margin-bottom:.2rem}.meta{color:#4a5568}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #cbd5e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#edf2f7}th.ldr{color:#2b6cb0}th.flw{color:#c53030}
small{color:#718096;font-weight:normal}
article.figure{break-inside:avoid;page-break-inside:avoid;margin:0 0 1.5rem}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.25fr);gap:1rem;
align-items:start}
.pair table{margin:0}
.chart svg{display:block;width:100%;height:auto;max-height:70vh}
.danced{color:#4a5568;font-size:.9em;margin:.3rem 0 0}
@media screen and (max-width:640px){.pair{grid-template-columns:1fr}}
@page{size:auto;margin:12mm 12mm 14mm}
@media print{
body{margin:0;padding:0;max-width:none;font-size:10pt;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
h1{font-size:16pt}h2{font-size:13pt}h3{font-size:11pt}
h2,h3{break-after:avoid;page-break-after:avoid}
section.dance{break-before:page;page-break-before:always}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
table.steps,.chart,.chart svg{break-inside:avoid;page-break-inside:avoid}
.chart svg{max-height:120mm}
th,td{padding:.15rem .35rem}
}
"""
