"""One glyph's comparison grid: input, each background's LIIF enlargement, the recovered alpha,
the result over black, white, grey and a checkerboard, the loss map (with a colour bar of its
scale), each pass's mask and, on request, the peer methods with the same panels and the same
zoom crop. An opaque (RGB) glyph was enlarged once and has no alpha: its grid shows what was
done, the input and the result (and the peers' results), nothing else.

Sources, best first: the kept stack (``stacks/<stem>/``, read by :func:`emoji_alpha.stack.load_stack`) and debug maps (``debug/<stem>/``)
next to the output; what is missing is recomputed (LIIF at panel size, plus the zoom crop at
full size, when there is no stack; the loss map and pass masks by re-solving the stack).
Every panel is reduced to the panel size, so grids stay small whatever the output size.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import checkerboard, composite_over, premultiply, read_image, unpremultiply, write_png
from emoji_alpha.options import EnlargeOptions
from emoji_alpha.pipeline import DEBUG_LOSS_FULL_SCALE
from emoji_alpha.report.records import OutputGlyph, parse_levels

if TYPE_CHECKING:
    from PIL import Image

LABEL_H = 20
PAD = 6
BACKDROP = (32, 32, 32)
CHECK = (0.8, 1.0)  # checkerboard greys
#: The loss map shows sqrt(L) in 8-bit levels, LOSS_FULL_SCALE and above at the top of the
#: scale (the debug loss.png's white, so both sources share one scale); its colour bar is
#: labelled at LOSS_TICKS.
LOSS_FULL_SCALE = DEBUG_LOSS_FULL_SCALE
LOSS_TICKS = (0, 2, 4, 6, 8)
BAR_W = 34  # room beside a panel's image for its colour bar and tick labels
#: Anchors of the loss map's colour scale (inferno-like: dark is good, light is bad; it
#: stays readable in grey print, as its lightness rises steadily).
HEAT = np.array([(0, 0, 4), (40, 11, 84), (101, 21, 110), (159, 42, 99), (212, 72, 66), (245, 125, 21),
                 (250, 193, 39), (252, 255, 164)], np.float32) / 255.0
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the glyph


def parse_zoom(text: str | None) -> tuple[int, int, int, int] | None:
    """``"X,Y,W,H"`` in output pixels."""
    if not text:
        return None
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise EmojiAlphaError(f"--zoom must be X,Y,W,H in output pixels, e.g. 600,200,300,300; got {text!r}") from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise EmojiAlphaError(f"--zoom {text}: X and Y must be >= 0 and W and H > 0")
    return x, y, w, h


def zoom_box(zoom: tuple[int, int, int, int] | None, size: tuple[int, int]) -> Box | None:
    """The zoom rectangle as fractions of an output of ``size`` (height, width), clipped; None if outside."""
    if zoom is None:
        return None
    height, width = size
    x, y, w, h = zoom
    x0, y0, x1, y1 = min(x, width), min(y, height), min(x + w, width), min(y + h, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0 / width, y0 / height, x1 / width, y1 / height


def pixel_box(box: Box, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """Fractional box -> (x0, y0, x1, y1) pixels of an image of ``shape`` (height, width), at least 1 px."""
    height, width = shape
    x0, y0 = int(np.floor(box[0] * width + 1e-6)), int(np.floor(box[1] * height + 1e-6))
    x1 = max(x0 + 1, int(np.ceil(box[2] * width - 1e-6)))
    y1 = max(y0 + 1, int(np.ceil(box[3] * height - 1e-6)))
    return x0, y0, min(x1, width), min(y1, height)


@dataclass
class Layer:
    """An image covering the whole glyph at any resolution, and optionally one covering exactly the zoom box."""

    full: np.ndarray  # H x W x C float
    zoom: np.ndarray | None = None

    def get(self, box: Box | None) -> np.ndarray:
        if box is None:
            return self.full
        if self.zoom is not None:
            return self.zoom
        x0, y0, x1, y1 = pixel_box(box, self.full.shape[:2])
        return self.full[y0:y1, x0:x1]


def _resize(image: np.ndarray, size: tuple[int, int], kind: str) -> np.ndarray:
    """Resize H x W x C float to (height, width): 'area' (Pillow BOX), 'max' (max pooling, for
    masks) or 'nearest' (for enlarging small inputs crisply)."""
    from PIL import Image

    if image.shape[:2] == tuple(size):
        return image
    if kind == "max" and image.shape[0] > size[0]:
        factor = int(np.ceil(max(image.shape[0] / size[0], image.shape[1] / size[1])))
        h, w = image.shape[:2]
        padded = np.zeros((-(-h // factor) * factor, -(-w // factor) * factor, image.shape[2]), image.dtype)
        padded[:h, :w] = image
        image = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor, -1).max(axis=(1, 3))
        kind = "area"
    resample = Image.NEAREST if kind == "nearest" or image.shape[0] < size[0] else Image.BOX
    return np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(image[..., c], np.float32), "F")
                                .resize((size[1], size[0]), resample)) for c in range(image.shape[2])], -1)


def fit(image: np.ndarray, panel: int, kind: str = "area") -> np.ndarray:
    """Scale so the longer side is ``panel`` (down by ``kind``, up by nearest neighbour)."""
    height, width = image.shape[:2]
    scale = panel / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    return _resize(image, size, kind if scale < 1 else "nearest")


def composite(premul: np.ndarray, background: str | float) -> np.ndarray:
    """``premul`` over a grey level or, for ``"checker"``, the grids' checkerboard (light
    squares of 8 pixels, the top-left one white)."""
    if background == "checker":
        background = checkerboard(*premul.shape[:2], 8, first=CHECK[1], second=CHECK[0])
    return composite_over(premul, background)


def heat(values: np.ndarray) -> np.ndarray:
    """H x W x 1 values in [0, 1] -> H x W x 3 colours of the loss map's scale."""
    stops = np.linspace(0.0, 1.0, len(HEAT))
    flat = np.clip(values[..., 0], 0.0, 1.0)
    return np.stack([np.interp(flat, stops, HEAT[:, c]) for c in range(3)], -1).astype(np.float32)


def bar_width(panel: int) -> int:
    return min(BAR_W, panel // 3)


def loss_bar() -> tuple[tuple[float, str], ...]:
    """The loss map's colour bar ticks: (fraction of the scale, label)."""
    top = LOSS_TICKS[-1]
    return tuple((level / LOSS_FULL_SCALE, f"{level}+" if level == top else str(level)) for level in LOSS_TICKS)


@dataclass
class Panel:
    label: str
    image: np.ndarray  # h x w x 3 float, at most panel x panel (panel - bar_width with a bar)
    mark: Box | None = None  # rectangle to draw (the zoom box)
    bar: tuple[tuple[float, str], ...] = ()  # a colour bar (heat scale) right of the image: (fraction, label)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: bitmap font only
        return ImageFont.load_default()


def render_rows(title_lines: list[str], rows: list[tuple[str, list[Panel]]], panel: int) -> "Image.Image":
    """Lay out labelled panels in rows under a title block; returns an RGB image."""
    from PIL import Image, ImageDraw

    font, small = _font(14), _font(12)
    cell_w, cell_h = panel + PAD, panel + LABEL_H + PAD
    columns = max([len(p) for _, p in rows] + [1])
    title_h = 8 + 18 * len(title_lines)
    row_title_h = 18
    # Narrow grids (an opaque glyph: two panels) widen for their text, up to four panels' width.
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    text_w = max([measure.textlength(line, font=font) for line in title_lines + [t for t, _ in rows]] + [0])
    width = PAD + max(columns * cell_w, min(int(text_w) + PAD, 4 * cell_w))
    height = title_h + sum(row_title_h + cell_h for _ in rows) + PAD
    canvas = Image.new("RGB", (width, height), BACKDROP)
    draw = ImageDraw.Draw(canvas)
    y = 6
    for line in title_lines:
        draw.text((PAD, y), line, fill=(235, 235, 235), font=font)
        y += 18
    y = title_h
    for row_title, panels in rows:
        draw.text((PAD, y + 2), row_title, fill=(160, 190, 240), font=font)
        y += row_title_h
        for index, item in enumerate(panels):
            x = PAD + index * cell_w
            draw.text((x, y + 3), _fitted(draw, item.label, small, panel), fill=(220, 220, 220), font=small)
            pixels = np.clip(np.rint(item.image * 255.0), 0, 255).astype(np.uint8)
            if pixels.shape[2] == 1:
                pixels = np.repeat(pixels, 3, axis=2)
            h, w = pixels.shape[:2]
            room = panel - (bar_width(panel) if item.bar else 0)
            ox, oy = x + (room - w) // 2, y + LABEL_H + (panel - h) // 2
            canvas.paste(Image.fromarray(pixels, "RGB"), (ox, oy))
            if item.mark is not None:
                x0, y0, x1, y1 = item.mark
                draw.rectangle((ox + x0 * w, oy + y0 * h, ox + x1 * w - 1, oy + y1 * h - 1), outline=(255, 40, 40), width=2)
            if item.bar:
                _draw_bar(canvas, draw, x + room + 3, oy, h, item.bar, small)
        y += cell_h
    return canvas


def _fitted(draw, text: str, font, width: int) -> str:
    """``text`` cut to ``width`` pixels (ending in '..'), so long labels do not run into the next panel."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "..", font=font) > width:
        text = text[:-1]
    return text + ".."


def _draw_bar(canvas, draw, x: int, y: int, height: int, ticks: tuple[tuple[float, str], ...], font) -> None:
    """A vertical colour bar of the heat scale, 0 at the bottom, with labelled ticks."""
    from PIL import Image

    height = max(height, 2)
    ramp = heat(np.linspace(1.0, 0.0, height, dtype=np.float32)[:, None, None])
    strip = np.clip(np.rint(np.repeat(ramp, 8, axis=1) * 255.0), 0, 255).astype(np.uint8)
    canvas.paste(Image.fromarray(strip, "RGB"), (x, y))
    for fraction, label in ticks:
        ty = y + round((1.0 - min(max(fraction, 0.0), 1.0)) * (height - 1))
        draw.line((x + 8, ty, x + 10, ty), fill=(220, 220, 220))
        draw.text((x + 12, ty), label, fill=(220, 220, 220), font=font, anchor="lm")


@dataclass
class GlyphSources:
    """Everything the grid shows, gathered once."""

    record: OutputGlyph
    result: np.ndarray  # output premultiplied RGBA H x W x 4
    opaque: bool = False  # an RGB output: one LIIF enlargement of an RGB input, nothing solved
    input: np.ndarray | None = None  # premultiplied input
    levels: tuple[float, ...] = ()
    backgrounds: list[Layer] = field(default_factory=list)
    stack_note: str = ""
    loss: Layer | None = None
    loss_note: str = ""
    passes: list[tuple[str, Layer]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _first_dir(out_dir: Path, kind: str, record: OutputGlyph, marker: str) -> Path | None:
    stems = [record.stem]
    if record.source:
        stems.append(Path(record.source).stem)
    for stem in stems:
        folder = out_dir / kind / stem
        if (folder / marker).exists() if marker else folder.is_dir():
            return folder
    return None


def _read_grey(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return (np.asarray(image.convert("L"), np.float32) / 255.0)[..., None]


def _loss_image(loss: np.ndarray) -> np.ndarray:
    """The debug loss map's scale: sqrt(L) in levels, LOSS_FULL_SCALE levels -> 1 (white)."""
    return np.clip(np.sqrt(np.maximum(loss, 0.0)) * 255.0 / LOSS_FULL_SCALE, 0.0, 1.0).astype(np.float32)[..., None]


def _loss(stack: np.ndarray, levels, premul: np.ndarray) -> np.ndarray:
    from emoji_alpha.solve import recompositing_loss

    return recompositing_loss(np.ascontiguousarray(stack, np.float32), np.asarray(levels, np.float32),
                              np.ascontiguousarray(premul[..., :3]), np.ascontiguousarray(premul[..., 3]))


def _pass_masks(stack: np.ndarray, premul_lr: np.ndarray, levels, passes: int) -> list[tuple[str, np.ndarray]]:
    """Re-solve ``stack`` with ``passes`` passes and return each pass's changed-pixel mask
    (on numba, like the loss maps: :func:`_loss`)."""
    from emoji_alpha.pipeline import solve_stack

    options = EnlargeOptions(backgrounds=tuple(levels), passes=passes, backend="numba")
    with tempfile.TemporaryDirectory(prefix="emoji-alpha-report-") as tmp:
        solve_stack(np.ascontiguousarray(stack, np.float32), premul_lr, options, debug_dir=Path(tmp))
        return [(m.stem, _read_grey(m)) for m in _pass_files(Path(tmp))]


def _pass_files(folder: Path) -> list[Path]:
    files = [p for p in folder.glob("pass*.png") if re.fullmatch(r"pass\d+(-.*)?", p.stem)]
    return sorted(files, key=lambda p: int(re.match(r"pass(\d+)", p.stem).group(1)))


def _area(premul: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return _resize(premul, size, "area")


def gather(record: OutputGlyph, out_dir: Path, *, panel: int, zoom: tuple[int, int, int, int] | None,
           get_upscaler: Callable[[], object | None]) -> GlyphSources:
    """Load the output, input, stack, loss map and pass masks, recomputing what is missing."""
    from emoji_alpha.methods import METHODS

    loaded = read_image(record.path)
    result = premultiply(loaded.rgba)
    size = result.shape[:2]
    box = zoom_box(zoom, size)
    src = GlyphSources(record, result, opaque=not loaded.has_alpha)
    stack_dir = _first_dir(out_dir, "stacks", record, "stack.json")
    debug_dir = _first_dir(out_dir, "debug", record, "")
    levels = parse_levels(record.backgrounds)
    kept: np.ndarray | None = None  # the kept stack's K enlargements
    if stack_dir is not None:
        from emoji_alpha.stack import load_stack

        try:
            kept, src.input, info = load_stack(stack_dir)
            levels = tuple(level / 255.0 for level in info.backgrounds)
        except EmojiAlphaError as exc:
            src.notes.append(f"stack {stack_dir.name} unreadable ({exc}); recomputing")
            stack_dir = None
    if src.input is None and record.source and Path(record.source).is_file():
        try:
            src.input = premultiply(read_image(record.source).rgba)
        except EmojiAlphaError as exc:
            src.notes.append(str(exc))
    if src.input is None:
        src.notes.append("input not found (no kept stack, manifest source missing): input and LIIF panels skipped")
    src.levels = levels or EnlargeOptions().backgrounds
    if src.opaque:
        return src  # enlarged once, no alpha: no backgrounds, loss map or passes to show
    method = METHODS.get(record.method or EnlargeOptions.method)
    peer = method is None or not method.solves_stack  # no stack: no background panels

    # The K enlargements.
    stack_full: np.ndarray | None = None
    if kept is not None and kept.shape[1:3] == size:
        stack_full = kept
        src.backgrounds = [Layer(image) for image in kept]
        src.stack_note = f"kept stack {stack_dir.relative_to(out_dir)}"
    if not src.backgrounds and src.input is not None and not peer:
        upscaler = get_upscaler()
        if upscaler is None:
            src.notes.append("no LIIF upscaler: background panels skipped")
        else:
            from emoji_alpha.composite import flatten

            composites = flatten(src.input, np.asarray(src.levels, np.float32))
            scale = min(1.0, panel / max(size))
            preview_size = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
            preview = upscaler.enlarge_many(composites, preview_size)
            zoomed = None
            if box is not None:
                x0, y0, x1, y1 = pixel_box(box, size)
                pixels = (np.arange(y0, y1)[:, None] * size[1] + np.arange(x0, x1)[None, :]).reshape(-1)
                zoomed = upscaler.enlarge_many(composites, size, pixels=pixels).reshape(len(composites), y1 - y0, x1 - x0, 3)
            src.backgrounds = [Layer(preview[k], None if zoomed is None else zoomed[k]) for k in range(len(preview))]
            src.stack_note = f"no kept stack: LIIF recomputed at {preview_size[1]}x{preview_size[0]}" + (
                " (zoom crop at full size)" if zoomed is not None else "")
    elif peer and not src.backgrounds:
        src.notes.append(f"method {record.method}: no background stack")

    # Loss map.
    if debug_dir is not None and (debug_dir / "loss.png").exists():
        src.loss = Layer(_read_grey(debug_dir / "loss.png"))
        src.loss_note = "loss map (debug)"
    elif stack_full is not None:
        src.loss = Layer(_loss_image(_loss(stack_full, src.levels, result)))
        src.loss_note = "loss map (recomputed)"
    elif src.backgrounds:
        preview = np.stack([layer.full for layer in src.backgrounds])
        full = _loss_image(_loss(preview, src.levels, _area(result, preview.shape[1:3])))
        zoomed = None
        if box is not None and src.backgrounds[0].zoom is not None:
            x0, y0, x1, y1 = pixel_box(box, size)
            zoomed = _loss_image(_loss(np.stack([layer.zoom for layer in src.backgrounds]), src.levels,
                                       result[y0:y1, x0:x1]))
        src.loss = Layer(full, zoomed)
        src.loss_note = "loss map (preview)"

    # Pass masks.
    if debug_dir is not None and _pass_files(debug_dir):
        src.passes = [(p.stem, Layer(_read_grey(p))) for p in _pass_files(debug_dir)]
    elif record.passes and src.input is not None and src.backgrounds:
        stack = stack_full if stack_full is not None else np.stack([layer.full for layer in src.backgrounds])
        suffix = "" if stack_full is not None else ", preview"
        src.passes = [(f"{name} (re-solved{suffix})", Layer(mask))
                      for name, mask in _pass_masks(stack, src.input, src.levels, record.passes)]
    elif record.passes:
        src.notes.append(f"{record.passes} passes, but no debug maps or stack to show their masks")
    return src


def peer_result(method: str, src: GlyphSources, cache_dir: Path, get_upscaler) -> np.ndarray | None:
    """The peer method's enlargement at the output size, cached as a PNG under ``cache_dir``."""
    from emoji_alpha.methods import get_method

    peer = get_method(method)
    if src.input is None:
        return None
    size = src.result.shape[:2]
    digest = hashlib.sha256(np.ascontiguousarray(src.input).tobytes()).hexdigest()[:12]
    cached = cache_dir / f"{method}-{size[1]}x{size[0]}-{digest}.png"
    if cached.exists():
        try:
            return premultiply(read_image(cached).rgba)
        except EmojiAlphaError:
            pass
    upscaler = get_upscaler() if peer.needs_liif else None
    if upscaler is None and peer.needs_liif:
        return None
    premul = peer.function(src.input, size, upscaler)
    write_png(cached, unpremultiply(premul))
    return premul


def result_panels(name: str, premul: np.ndarray, box: Box | None, panel: int, mark: Box | None,
                  opaque: bool = False) -> list[Panel]:
    """A result's panels: alpha and composites, or for an opaque result the picture alone."""
    view = fit(Layer(premul).get(box), panel, "area")
    if opaque:
        return [Panel(name, view[..., :3], mark)]
    return [Panel(f"{name}: alpha", view[..., 3:4]),
            Panel(f"{name} over black", composite(view, 0.0)),
            Panel(f"{name} over white", composite(view, 1.0)),
            Panel(f"{name} over grey", composite(view, 128 / 255)),
            Panel(f"{name} over checker", composite(view, "checker"), mark)]


def build_grid(src: GlyphSources, *, panel: int, zoom: tuple[int, int, int, int] | None,
               compare: tuple[str, ...] = (), cache_dir: Path | None = None, get_upscaler=lambda: None):
    """The grid image (PIL RGB) for gathered sources."""
    title, rows = layout(src, panel=panel, zoom=zoom, compare=compare, cache_dir=cache_dir, get_upscaler=get_upscaler)
    return render_rows(title, rows, panel)


Rows = list[tuple[str, list[Panel]]]


def layout(src: GlyphSources, *, panel: int, zoom: tuple[int, int, int, int] | None, compare: tuple[str, ...] = (),
           cache_dir: Path | None = None, get_upscaler=lambda: None) -> tuple[list[str], Rows]:
    """The grid's title lines and its rows of panels, before drawing."""
    from emoji_alpha.methods import get_method

    record = src.record
    size = src.result.shape[:2]
    box = zoom_box(zoom, size)
    if zoom is not None and box is None:
        src.notes.append(f"zoom {zoom} lies outside the {size[1]}x{size[0]} output")
    views: list[tuple[str, Box | None]] = [("", None)] + ([(" (zoom)", box)] if box is not None else [])
    rows = _opaque_rows(src, views, panel, box) if src.opaque else _solve_rows(src, views, panel, box)
    for method in compare:
        premul = peer_result(method, src, cache_dir, get_upscaler) if cache_dir is not None else None
        if premul is None:
            needs = " and LIIF" if get_method(method).needs_liif else ""
            src.notes.append(f"compare {method}: skipped (needs the input{needs})")
            continue
        for suffix, view_box in views:
            rows.append((f"{method}{suffix}", result_panels(method, premul, view_box, panel,
                                                            box if view_box is None else None, src.opaque)))
    done = "opaque (RGB): enlarged once with LIIF" if src.opaque else f"method {record.method or EnlargeOptions.method}"
    title = [f"{record.key}   {size[1]}x{size[0]}   {done}"
             + (f"   loss {record.loss:.3f} levels^2" if record.loss is not None else "")
             + (f"   input consistency (alpha MAE) {record.consistency:.3f} levels" if record.consistency is not None else "")]
    if zoom is not None and box is not None:
        title.append(f"zoom x={zoom[0]} y={zoom[1]} w={zoom[2]} h={zoom[3]} (output pixels)")
    title.extend(f"note: {note}" for note in src.notes)
    return title, rows


def _opaque_rows(src: GlyphSources, views, panel: int, box: Box | None) -> Rows:
    """An RGB glyph: the input and its one enlargement, per view."""
    rows: Rows = []
    for suffix, view_box in views:
        panels = [Panel("input", fit(Layer(src.input).get(view_box), panel, "nearest")[..., :3])] if src.input is not None else []
        panels += result_panels("result (LIIF)", src.result, view_box, panel, box if view_box is None else None, opaque=True)
        rows.append((f"opaque input: one LIIF enlargement, no alpha to solve{suffix}", panels))
    return rows


def _solve_rows(src: GlyphSources, views, panel: int, box: Box | None) -> Rows:
    """An RGBA glyph: input and LIIF enlargements, the result with its loss map, pass masks; per view."""
    rows: Rows = []
    for suffix, view_box in views:
        top: list[Panel] = []
        if src.input is not None:
            image = Layer(src.input).get(view_box)
            top.append(Panel("input", composite(fit(image, panel, "nearest"), "checker")))
        for level, layer in zip(src.levels, src.backgrounds):
            top.append(Panel(f"LIIF over {round(level * 255)}", fit(layer.get(view_box), panel, "area")))
        if top:
            rows.append((f"input and LIIF enlargements{suffix}" + (f" - {src.stack_note}" if src.stack_note else ""), top))
    for suffix, view_box in views:
        panels = result_panels(src.record.method or EnlargeOptions.method, src.result, view_box, panel, box if view_box is None else None)
        title = f"result{suffix}"
        if src.loss is not None:
            loss_map = heat(fit(src.loss.get(view_box), panel - bar_width(panel), "max"))
            panels.append(Panel(src.loss_note, loss_map, bar=loss_bar()))
            title += " - loss map: sqrt(L) per pixel, in 8-bit levels"
        rows.append((title, panels))
    if src.passes:
        alpha = Layer(src.result[..., 3:4])
        for suffix, view_box in views:
            panels = []
            for name, layer in src.passes:
                mask = fit(layer.get(view_box), panel, "max")
                context = _resize(alpha.get(view_box), mask.shape[:2], "area") * 0.35
                tinted = np.concatenate([np.maximum(context, mask), context * (1 - mask), context * (1 - mask)], axis=2)
                panels.append(Panel(f"{name}: changed", tinted))
            rows.append((f"pass masks (red: pixels the pass changed){suffix}", panels))
    return rows
