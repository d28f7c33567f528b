"""Thumbnails and the static HTML gallery ``OUTDIR/index.html``.

Thumbnails are premultiplied-area reductions (Pillow ``reduce`` on ``RGBa``: no dark
fringes) written to ``OUTDIR/report/thumbs/``; an up-to-date thumbnail is not rebuilt. The
gallery is one self-contained HTML file (inline CSS and JS, relative links) that works from
``file://``: switchable backgrounds, sorting by name, loss and consistency error.
"""

from __future__ import annotations

import html
import io
import json
import os
from pathlib import Path
from urllib.parse import quote

from emoji_alpha.images import write_bytes_atomic

THUMB_DIR = "report/thumbs"
GRID_DIR = "report/grids"


def thumb_name(key: str) -> str:
    """The thumbnail's path under THUMB_DIR for a record key (subfolders kept: no clashes)."""
    return key + ".png"


def make_thumbnail(source: str | os.PathLike, target: str | os.PathLike, size: int) -> bool:
    """Write ``target``: ``source`` reduced to fit ``size`` x ``size``; False if up to date."""
    from PIL import Image

    source, target = Path(source), Path(target)
    try:
        if target.stat().st_mtime >= source.stat().st_mtime:
            with Image.open(target) as done:
                if done.info.get("emoji-alpha-thumb") == str(size):
                    return False
    except (OSError, ValueError):
        pass
    with Image.open(source) as image:
        image.load()
        if image.mode not in ("RGBA", "RGB"):
            image = image.convert("RGBA")
        premul = image.convert("RGBa") if image.mode == "RGBA" else image
        factor = max(1, max(premul.size) // size)
        if factor > 1:
            premul = premul.reduce(factor)
        if max(premul.size) > size:
            scale = size / max(premul.size)
            premul = premul.resize((max(1, round(premul.width * scale)), max(1, round(premul.height * scale))),
                                   Image.BOX)
        thumb = premul.convert("RGBA") if premul.mode == "RGBa" else premul
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("emoji-alpha-thumb", str(size))
    buffer = io.BytesIO()
    thumb.save(buffer, format="PNG", compress_level=3, pnginfo=meta)
    write_bytes_atomic(target, buffer.getvalue())
    return True


def _thumb_job(args: tuple[str, str, int]) -> bool:
    return make_thumbnail(*args)


def make_thumbnails(jobs_list: list[tuple[str, str, int]], jobs: int, advance) -> tuple[int, list[tuple[str, str]]]:
    """Build thumbnails, in parallel with ``jobs`` > 1 processes; returns (written, [(source, error)])."""
    written, errors = 0, []
    if jobs > 1 and len(jobs_list) >= 32:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [(job, pool.submit(_thumb_job, job)) for job in jobs_list]
            for job, future in futures:
                try:
                    written += bool(future.result())
                except Exception as exc:  # a corrupt glyph must not stop the report
                    errors.append((job[0], f"{Path(job[0]).name}: thumbnail failed ({exc})"))
                advance(1)
        return written, errors
    for job in jobs_list:
        try:
            written += make_thumbnail(*job)
        except Exception as exc:
            errors.append((job[0], f"{Path(job[0]).name}: thumbnail failed ({exc})"))
        advance(1)
    return written, errors


def _href(relative: str) -> str:
    """A relative URL for a path under the output folder, every part percent-encoded."""
    return "/".join(quote(part, safe="") for part in relative.split("/"))


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


CSS = """
:root { --custom: #ff00ff; --check-a: #cccccc; --check-b: #ffffff; }
body { font: 14px system-ui, sans-serif; margin: 0; background: #1e1e1e; color: #eee; }
header { position: sticky; top: 0; z-index: 1; background: #2a2a2a; padding: 8px 12px;
         display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; border-bottom: 1px solid #444; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
button { background: #3a3a3a; color: #eee; border: 1px solid #555; border-radius: 4px; padding: 3px 9px; cursor: pointer; }
button.on { background: #4a78c2; border-color: #6a98e2; }
.notes { padding: 4px 12px; color: #f0c060; font-size: 12px; }
main { display: flex; flex-wrap: wrap; gap: 10px; padding: 12px; }
.card { width: 200px; margin: 0; background: #2a2a2a; border: 1px solid #3a3a3a; border-radius: 6px; overflow: hidden; }
.card a { color: inherit; text-decoration: none; }
.tile { width: 200px; height: 200px; display: flex; align-items: center; justify-content: center; }
.tile img { max-width: 192px; max-height: 192px; image-rendering: auto; }
.bg-checker .tile { background-color: var(--check-b);
  background-image: linear-gradient(45deg, var(--check-a) 25%, transparent 25%, transparent 75%, var(--check-a) 75%),
                    linear-gradient(45deg, var(--check-a) 25%, transparent 25%, transparent 75%, var(--check-a) 75%);
  background-size: 16px 16px; background-position: 0 0, 8px 8px; }
.bg-black .tile { background: #000; } .bg-white .tile { background: #fff; }
.bg-grey .tile { background: #808080; } .bg-custom .tile { background: var(--custom); }
figcaption { padding: 5px 7px; font-size: 12px; line-height: 1.45; word-break: break-all; }
figcaption .name { font-weight: 600; }
.failed .tile { background: #4a2222 !important; color: #f99; font-size: 12px; padding: 8px; box-sizing: border-box; }
.grid-link, .png-link { color: #8ab4f8 !important; }
"""

JS = """
(function () {
  var main = document.querySelector('main');
  var state = {key: null, dir: 1};
  function value(card, key) {
    if (key === 'name') return card.dataset.name;
    var v = parseFloat(card.dataset[key]);
    return isNaN(v) ? null : v;
  }
  function sortBy(key, button) {
    state.dir = (state.key === key) ? -state.dir : (key === 'name' ? 1 : -1);
    state.key = key;
    var cards = Array.prototype.slice.call(main.children);
    cards.sort(function (a, b) {
      var x = value(a, key), y = value(b, key);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      if (key === 'name') return state.dir * x.localeCompare(y);
      return state.dir * (x - y);
    });
    cards.forEach(function (card) { main.appendChild(card); });
    document.querySelectorAll('button[data-sort]').forEach(function (b) {
      b.classList.toggle('on', b === button);
      b.textContent = b.dataset.label + (b === button ? (state.dir > 0 ? ' \\u2191' : ' \\u2193') : '');
    });
  }
  function setBackground(name, button) {
    document.body.className = 'bg-' + name;
    document.querySelectorAll('button[data-bg]').forEach(function (b) { b.classList.toggle('on', b === button); });
  }
  document.querySelectorAll('button[data-sort]').forEach(function (b) {
    b.addEventListener('click', function () { sortBy(b.dataset.sort, b); });
  });
  document.querySelectorAll('button[data-bg]').forEach(function (b) {
    b.addEventListener('click', function () { setBackground(b.dataset.bg, b); });
  });
  // index.html#bg=black&sort=loss opens with that background and order (loss, cons: worst first; -loss reverses)
  var params = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('='); if (p[0]) params[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || '');
  });
  if (params.bg) {
    var bgButton = document.querySelector('button[data-bg="' + params.bg.replace(/[^a-z]/g, '') + '"]');
    if (bgButton) setBackground(params.bg, bgButton);
  }
  if (params.sort) {
    var key = params.sort.replace(/^-/, ''), sortButton = document.querySelector('button[data-sort="' + key.replace(/[^a-z]/g, '') + '"]');
    if (sortButton) { sortBy(key, sortButton); if (params.sort[0] === '-') sortBy(key, sortButton); }
  }
  var picker = document.getElementById('custom');
  picker.addEventListener('input', function () {
    document.documentElement.style.setProperty('--custom', picker.value);
    setBackground('custom', document.querySelector('button[data-bg=custom]'));
  });
})();
"""


def render_gallery(records, *, title: str, thumbs: dict[str, str], grids: dict[str, str], notes: list[str]) -> str:
    """The gallery HTML. ``thumbs`` and ``grids`` map record names to paths relative to the output folder."""
    esc = html.escape
    done = sum(r.ok for r in records)
    failed = len(records) - done
    cards = []
    for record in records:
        loss, cons = _number(record.loss, 3), _number(record.consistency, 3)
        seconds = record.seconds.get("total", sum(record.seconds.values())) if record.seconds else None
        attrs = (f'data-name="{esc(record.name)}" data-loss="{loss}" data-cons="{cons}" '
                 f'data-status="{esc(record.status)}"')
        lines = [f'<span class="name">{esc(record.key)}</span>']
        if loss:
            lines.append(f"loss {loss} levels&sup2;")
        if cons:
            lines.append(f"input consistency {cons} levels")
        if seconds:
            lines.append(f"{seconds:.1f} s")
        links = []
        if record.path is not None:  # the enlarged PNG itself, at full size
            links.append(f'<a class="png-link" href="{esc(_href(record.name))}">PNG'
                         + (f" {esc(record.size)}" if record.size else "") + "</a>")
        if record.name in grids:
            links.append(f'<a class="grid-link" href="{esc(_href(grids[record.name]))}">comparison grid</a>')
        if links:
            lines.append(" &middot; ".join(links))
        caption = "<br>".join(lines)
        if record.name in thumbs:
            tile = (f'<a href="{esc(_href(record.name))}" title="enlarged PNG"><div class="tile"><img loading="lazy" '
                    f'src="{esc(_href(thumbs[record.name]))}" alt="{esc(record.key)}"></div></a>')
            cards.append(f'<figure class="card" {attrs}>{tile}<figcaption>{caption}</figcaption></figure>')
        else:
            reason = record.error or record.status
            tile = f'<div class="tile">{esc(record.status)}: {esc(reason)}</div>'
            cards.append(f'<figure class="card failed" {attrs}>{tile}<figcaption>{caption}</figcaption></figure>')
    note_html = "".join(f"<div>{esc(note)}</div>" for note in notes)
    summary = f"{done} glyphs" + (f", {failed} failed or missing" if failed else "")
    sort_buttons = "".join(f'<button data-sort="{key}" data-label="{label}">{label}</button>'
                           for key, label in (("name", "name"), ("loss", "loss"), ("cons", "consistency")))
    bg_buttons = "".join(f'<button data-bg="{key}"{" class=on" if key == "checker" else ""}>{key}</button>'
                         for key in ("checker", "black", "white", "grey", "custom"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<meta name="generator" content="emoji-alpha report">
<style>{CSS}</style></head>
<body class="bg-checker">
<header><h1>{esc(title)}</h1><span>{esc(summary)}</span>
<span>sort: {sort_buttons}</span>
<span>background: {bg_buttons} <input type="color" id="custom" value="#ff00ff" title="custom background colour"></span>
</header>
{f'<div class="notes">{note_html}</div>' if notes else ''}
<main>
{chr(10).join(cards)}
</main>
<script type="application/json" id="summary">{esc(json.dumps({"glyphs": done, "failed": failed}))}</script>
<script>{JS}</script>
</body></html>
"""
