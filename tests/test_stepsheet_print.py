"""The printable step sheet: every figure used has its chart, and no figure is cut by a
page break when Debian chromium prints it on A4 and on Letter."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.choreo import Routine, choreograph
from pasdeux.export import stepsheet_html, stepsheet_markdown
from pasdeux.music import MusicMap


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=5, level="bronze")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_each_figure_used_has_its_chart_once_beside_its_table(
    routine: Routine, truth_music: MusicMap
) -> None:
    page = stepsheet_html(truth_music, routine, "Demo")
    markdown = stepsheet_markdown(truth_music, routine, "Demo")
    used = {(p.dance, p.figure.id): p.figure for p in routine.figures}
    blocks = re.findall(r"<article class='figure'>(.*?)</article>", page, flags=re.S)
    assert len(blocks) == len(used)
    for fig in used.values():
        (block,) = [b for b in blocks if f"<h3>{fig.name} " in b]
        assert block.count("<svg") == 1 and block.count("</svg>") == 1
        assert f"<title>{fig.name} (" in block  # the chart is this figure's
        assert block.index("<table class='steps'>") < block.index("<svg")
        danced = sum(1 for p in routine.figures if p.figure.id == fig.id)
        assert f"danced {danced}× in the routine" in block
        assert f"{fig.name}: danced {danced}× in the routine" in markdown
    css = page[page.index("<style>") : page.index("</style>")]
    assert "@media print" in css and "@page" in css
    assert "break-inside:avoid" in css and "break-before:page" in css
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and "<link" not in page and "<script" not in page


@pytest.mark.browser
@pytest.mark.slow
def test_printed_sheet_cuts_no_figure_on_a4_or_letter(
    tmp_path: Path, routine: Routine, truth_music: MusicMap
) -> None:
    """Print to PDF in chromium on both papers; the figures start on a new page; each
    figure's block (from its description to its "danced" line, after its table and
    chart) lies on one page."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    pytest.importorskip("pypdf")
    from playwright.sync_api import sync_playwright

    sheet = tmp_path / "stepsheet.html"
    sheet.write_text(stepsheet_html(truth_music, routine, "Demo"), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(sheet.as_uri())
        pdfs = {paper: page.pdf(format=paper) for paper in ("A4", "Letter")}
        browser.close()
    for paper, pdf in pdfs.items():
        _check_printed(pdf, routine, paper)


def _check_printed(pdf: bytes, routine: Routine, paper: str) -> None:
    import pypdf

    pages = [_words(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    used = {(p.dance, p.figure.id): p.figure for p in routine.figures}
    assert len(pages) >= 2, paper  # the overview, then at least one page of figures
    assert "the figures" not in pages[0]  # the figures begin on a page of their own
    for fig in used.values():
        begins = [i for i, text in enumerate(pages) if _words(fig.description)[:40] in text]
        first = next(p for p in routine.figures if p.figure.id == fig.id)
        line_end = f"in the routine, at bar {first.bar} ("  # a bar starts one figure
        ends = [i for i, text in enumerate(pages) if line_end in text]
        assert len(begins) == 1 and begins == ends, (paper, fig.name, begins, ends)


@pytest.mark.browser
@pytest.mark.slow
def test_printed_routine_table_runs_over_pages_without_cutting_a_row(tmp_path: Path) -> None:
    """A four-minute Cha Cha's routine (dozens of rows) printed on A4 and Letter: the table
    runs over several pages, its head repeated on each, and every row lies whole on one
    page (the text from the row's number to the next row's holds all its words)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    pypdf = pytest.importorskip("pypdf")
    from playwright.sync_api import sync_playwright

    from pasdeux.dances import find_style
    from test_plan import music_for

    music = music_for(find_style("Cha Cha"), 240.0)
    routine = choreograph(music, seed=1, level="silver")
    # every third row a long note (a dozen lines in its cell), which a page break would
    # cut if rows could be cut
    long_note = " ".join(f"note{k}" for k in range(60))
    figures = [
        dataclasses.replace(p, why=long_note) if n % 3 == 0 else p
        for n, p in enumerate(routine.figures)
    ]
    routine = dataclasses.replace(routine, figures=tuple(figures))
    sheet = tmp_path / "stepsheet.html"
    sheet.write_text(stepsheet_html(music, routine, "Long"), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(sheet.as_uri())
        pdfs = {paper: page.pdf(format=paper) for paper in ("A4", "Letter")}
        browser.close()
    head = "# time bar dance figure counts note"
    for paper, pdf in pdfs.items():
        pages = [
            _words((p.extract_text() or "").replace("\ufb01", "fi"))
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
        ]
        starts = {}
        for n, placed in enumerate(routine.figures, start=1):
            found = [
                (i, m.start())
                for i, text in enumerate(pages)
                for m in re.finditer(rf"(?:^| ){n} \d+:\d\d\.\d {placed.bar} ", text)
            ]
            assert len(found) == 1, (paper, n, found)
            starts[n] = found[0]
        table_pages = sorted({i for i, _ in starts.values()})
        assert len(table_pages) >= 2, paper  # the case tested: the table runs over pages
        assert all(pages[i].startswith(head) for i in table_pages[1:]), paper
        for n, placed in enumerate(routine.figures, start=1):
            i, at = starts[n]
            following = [a for j, a in starts.values() if j == i and a > at]
            row = pages[i][at : min(following, default=len(pages[i]))].split()
            want = f"{placed.dance} {placed.figure.name} {placed.figure.counts} {placed.why}"
            for word in want.split():
                assert word in row, (paper, n, word, row)
