"""Take a screenshot of a written viewer mid-play (for the README): docs/viewer.png.

Usage: python scripts/screenshot.py DEMO_OUT_DIR [OUT_PNG] [--at SECONDS]
Needs Debian's chromium (/usr/bin/chromium) and the playwright Python package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
]


def main() -> None:
    """Open index.html, play briefly, pause at ``--at`` seconds, save a PNG of that moment."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("png", type=Path, nargs="?", default=Path("docs/viewer.png"))
    parser.add_argument("--at", type=float, default=20.0)
    args = parser.parse_args()
    index = (args.out_dir / "index.html").resolve()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 820})
        page.goto(index.as_uri() + "?quality=high")  # full quality in software WebGL too
        page.wait_for_function("document.getElementById('audio').readyState >= 2")
        page.evaluate(f"document.getElementById('audio').currentTime = {args.at}")
        page.click("#play")
        page.wait_for_timeout(1500)
        page.click("#play")
        # Paused, back at the moment asked for: wait until the 3D view shows it (it trails
        # the clock where WebGL renders in software).
        page.evaluate(f"document.getElementById('audio').currentTime = {args.at}")
        page.wait_for_function(
            f"window.pasdeuxState && Math.abs(window.pasdeuxState.time3d - {args.at}) < 0.02"
        )
        page.wait_for_timeout(200)
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png))
        browser.close()
    print(args.png)


if __name__ == "__main__":
    main()
