"""The gallery as a user sees it: headless Chromium opens OUTDIR/index.html from disk
(file://, no server) and the screenshot must show glyphs on the checkerboard, not a blank page.

Skipped where Chromium is absent (`apt-get install chromium`); `make test` does not need it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from reportkit import build_outdir

from emoji_alpha.report import write_report

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install chromium)")]


def chromium(tmp_path, *args):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    env = {**os.environ, "HOME": str(tmp_path)}
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        pytest.skip("Chromium did not finish within 120 s")


def dump_dom(page, tmp_path, fragment=""):
    done = chromium(tmp_path, "--dump-dom", page.resolve().as_uri() + fragment)
    if "<main>" not in done.stdout:
        pytest.skip(f"Chromium dumped no page (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return done.stdout


def screenshot(page, target, tmp_path, size=(1200, 900), fragment=""):
    done = chromium(tmp_path, f"--screenshot={target}", f"--window-size={size[0]},{size[1]}",
                    page.resolve().as_uri() + fragment)
    if not target.exists():
        pytest.skip(f"Chromium made no screenshot (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return np.asarray(Image.open(target).convert("RGB"), np.float32)


def test_gallery_renders_in_chromium(tmp_path):
    out = tmp_path / "out dir"  # a space: file:// URLs must be encoded
    build_outdir(out, size=96)
    summary = write_report(out, grids="none", thumb_size=128, jobs=1)
    shot = screenshot(summary.index, tmp_path / "shot.png", tmp_path)
    assert shot.shape[:2] == (900, 1200)
    assert shot.std() > 20, "screenshot looks blank"
    # checkerboard tiles (204 and 255 grey) and the glyphs' own colours must be visible
    flat = shot.reshape(-1, 3)
    grey204 = (np.abs(flat - 204).max(axis=1) < 3).mean()
    colourful = ((flat.max(axis=1) - flat.min(axis=1)) > 40).mean()
    assert grey204 > 0.01, "no checkerboard"
    assert colourful > 0.005, "no glyph colours"
    dark = screenshot(summary.index, tmp_path / "dark.png", tmp_path, fragment="#bg=black")
    assert (np.abs(dark.reshape(-1, 3) - 204).max(axis=1) < 3).mean() < grey204 / 4, "background button had no effect"
    assert (dark.reshape(-1, 3).max(axis=1) < 3).mean() > 0.05


def test_gallery_sorts_by_loss_in_chromium(tmp_path):
    out = tmp_path / "out"
    rows = build_outdir(out, size=64, odd_name=False)
    summary = write_report(out, grids="none", thumb_size=32, jobs=1)
    dom = dump_dom(summary.index, tmp_path, "#sort=loss")
    names = re.findall(r'<figure class="card[^"]*" data-name="([^"]+)"', dom)
    losses = {r["name"]: r["loss"] for r in rows.values() if r.get("loss") is not None}
    expected = sorted(losses, key=lambda n: -losses[n])
    assert names[:len(expected)] == expected, names  # worst first; the failed glyph (no loss) last
    assert names[-1] == "glyph-u1F343.png"
    names = re.findall(r'<figure class="card[^"]*" data-name="([^"]+)"', dump_dom(summary.index, tmp_path, "#sort=-loss"))
    assert names[:len(expected)] == expected[::-1]
