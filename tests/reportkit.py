"""Test helpers for the report: a fast stand-in for LIIF, the batch manifest's schema, and an
output folder built like `emoji-alpha enlarge ... --keep-stack --debug-dir` would."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[1] / "emoji_alpha" / "samples"

# The columns the batch mode writes (table `glyphs`); the report must also cope with fewer.
MANIFEST_COLUMNS = {
    "name": "TEXT PRIMARY KEY", "source": "TEXT", "codepoints": "TEXT", "backgrounds": "TEXT", "size": "TEXT",
    "method": "TEXT", "passes": "INTEGER", "status": "TEXT", "error": "TEXT", "seconds": "TEXT", "loss": "REAL",
    "consistency_alpha_mae": "REAL", "output_sha256": "TEXT",
}


def create_manifest(path: Path, rows: list[dict], columns: dict[str, str] | None = None) -> Path:
    columns = columns or MANIFEST_COLUMNS
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"CREATE TABLE glyphs ({', '.join(f'{k} {v}' for k, v in columns.items())})")
        for row in rows:
            row = {k: v for k, v in row.items() if k in columns}
            connection.execute(f"INSERT INTO glyphs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               list(row.values()))
    connection.close()
    return path


class FakeUpscaler:
    """Bicubic resampling behind the Upscaler interface: fast and deterministic."""

    weights_sha256 = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def check_memory(self, *args) -> None:
        return None

    def enlarge(self, rgb, size, progress=None):
        return self.enlarge_many(rgb[None], size)[0]

    def enlarge_many(self, images, size, pixels=None, *, progress=None):
        out = self.query(self.prepare(images, size), pixels)
        return out if pixels is not None else out.reshape(len(images), size[0], size[1], 3)

    def prepare(self, images, size):
        self.calls += 1
        return _Prepared(np.stack([np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(im[..., c], np.float32), "F")
                                                        .resize((size[1], size[0]), Image.BICUBIC)) for c in range(3)], -1)
                                   for im in images]).clip(0, 1).astype(np.float32))

    def query(self, prepared, pixels=None, *, progress=None):
        flat = prepared.full.reshape(prepared.batch, -1, 3)
        return flat if pixels is None else flat[:, np.asarray(pixels)]


class _Prepared:
    """The fake's "encoded" batch: simply the resampled images."""

    def __init__(self, full: np.ndarray) -> None:
        self.full, self.batch = full, len(full)

    def select(self, index: int) -> "_Prepared":
        return self.images(index, index + 1)

    def images(self, start: int, stop: int) -> "_Prepared":
        return _Prepared(self.full[start:stop])


def build_outdir(out: Path, *, size: int = 96, manifest: bool = True, odd_name: bool = True,
                 opaque: bool = False) -> dict:
    """Three enlarged samples (one with a kept stack and debug maps, one without, one with an
    odd file name), plus a failed glyph that only the manifest knows; with ``opaque``, the RGB
    sample too, enlarged once as the batch does (``glyph-u1F600.png``, no loss)."""
    from emoji_alpha.images import premultiply, read_image, write_png
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.pipeline import enlarge_rgb, enlarge_rgba

    out.mkdir(parents=True, exist_ok=True)
    upscaler = FakeUpscaler()
    options = EnlargeOptions(passes=2)
    glyphs = [("glyph-u1F9CA.png", "glyph-u1F9CA.png", True, "1F9CA"),
              ("glyph-u1F4A8.png", "glyph-u1F4A8.png", False, "1F4A8")]
    if odd_name:
        glyphs.append(("glyph-u1FAB0.png", 'glyph-a&b "q" <x>.png', False, "1FAB0"))
    rows = []
    for loss_rank, (sample, name, keep, codepoints) in enumerate(glyphs):
        source = SAMPLES / sample
        premul = premultiply(read_image(source).rgba)
        stem = Path(name).stem
        kwargs = {"keep_stack": out / "stacks" / stem, "debug_dir": out / "debug" / stem} if keep else {}
        result = enlarge_rgba(premul, (size, size), upscaler, options, source=str(source), **kwargs)
        write_png(out / name, result.straight())
        rows.append({"name": name, "source": str(source), "codepoints": codepoints, "backgrounds": "0,64,128,191,255",
                     "size": f"{size}x{size}", "method": "solve", "passes": 2, "status": "done", "error": None,
                     "seconds": json.dumps({"liif": 0.1 * (loss_rank + 1), "solve": 0.05}),
                     "loss": float(result.report.loss), "consistency_alpha_mae": float(result.report.consistency.alpha_mae),
                     "output_sha256": ""})
    if opaque:
        source = SAMPLES / "opaque-u1F600-on-white.png"
        write_png(out / "glyph-u1F600.png", enlarge_rgb(read_image(source).rgba[..., :3], (size, size), upscaler).rgb)
        rows.append({"name": "glyph-u1F600.png", "source": str(source), "codepoints": "1F600", "size": f"{size}x{size}",
                     "method": "solve", "status": "done", "seconds": json.dumps({"liif": 0.1})})
    rows.append({"name": "glyph-u1F343.png", "source": "/nowhere/u1F343.png", "codepoints": "1F343", "status": "failed",
                 "error": "cannot read image <broken>", "method": "solve"})
    if manifest:
        create_manifest(out / "emoji-alpha.sqlite", rows)
    return {row["name"]: row for row in rows}
