"""PNG flavours in, premultiplied helpers, atomic writes."""

from __future__ import annotations

import io
import os

import numpy as np
import png
import pytest
from PIL import Image

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import composite_over, decode_image, premultiply, read_image, to_uint8, unpremultiply, write_png


def _png_bytes(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **kwargs)
    return buffer.getvalue()


def test_palette_with_trns_gives_alpha():
    pal = Image.new("P", (4, 2))
    pal.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    pal.putdata([0, 1, 0, 1, 1, 0, 1, 0])
    data = _png_bytes(pal, transparency=bytes([255, 64]))
    loaded = decode_image(data)
    assert loaded.has_alpha
    assert loaded.rgba[0, 0].tolist() == [1.0, 0.0, 0.0, 1.0]
    np.testing.assert_allclose(loaded.rgba[0, 1], [0.0, 1.0, 0.0, 64 / 255], atol=1e-7)


def test_la_and_greyscale():
    la = Image.fromarray(np.array([[[10, 0], [200, 128]]], dtype=np.uint8), mode="LA")
    loaded = decode_image(_png_bytes(la))
    assert loaded.has_alpha
    np.testing.assert_allclose(loaded.rgba[0, 1], [200 / 255] * 3 + [128 / 255], atol=1e-7)
    grey = decode_image(_png_bytes(Image.new("L", (3, 3), 51)))
    assert not grey.has_alpha
    np.testing.assert_allclose(grey.rgba[1, 1], [0.2, 0.2, 0.2, 1.0], atol=1e-7)


def test_16_bit_rgba_keeps_full_precision():
    values = np.array([[[65535, 0, 257, 1], [300, 600, 900, 65535]]], dtype=np.uint16)
    buffer = io.BytesIO()
    png.Writer(2, 1, greyscale=False, alpha=True, bitdepth=16).write(buffer, values.reshape(1, -1).tolist())
    loaded = decode_image(buffer.getvalue())
    assert loaded.has_alpha and loaded.source_mode == "RGBA;16"
    np.testing.assert_allclose(loaded.rgba, values / 65535.0, atol=1e-7)
    assert loaded.rgba[0, 0, 3] != 0.0  # 1/65535 alpha survives (8 bits would round it to 0)


def test_16_bit_greyscale():
    image = Image.fromarray(np.array([[0, 32768, 65535]], dtype=np.uint16))
    loaded = decode_image(_png_bytes(image))
    np.testing.assert_allclose(loaded.rgba[0, :, 0], [0, 32768 / 65535, 1.0], atol=1e-6)


def test_bad_inputs_are_one_line_errors(tmp_path):
    good = _png_bytes(Image.new("RGB", (8, 8)))
    cases = {"missing.png": None, "text.png": b"hello, not an image", "trunc.png": good[:60], "empty.png": b""}
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(EmojiAlphaError) as info:
            read_image(path)
        assert "\n" not in str(info.value) and name in str(info.value)


def test_zero_sized_png_is_rejected(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 0, 4, 8, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    path = tmp_path / "zero.png"
    path.write_bytes(data)
    with pytest.raises(EmojiAlphaError):
        read_image(path)


def test_premultiply_round_trip_and_zero_alpha():
    rng = np.random.default_rng(0)
    rgba = rng.random((5, 5, 4), dtype=np.float32)
    rgba[0, 0, 3] = 0.0
    back = unpremultiply(premultiply(rgba))
    np.testing.assert_allclose(back[1:], rgba[1:], atol=1e-6)
    assert back[0, 0].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_composite_over_matches_straight_alpha_formula():
    rgba = np.array([[[1.0, 0.5, 0.0, 0.25]]], dtype=np.float32)
    out = composite_over(premultiply(rgba), 1.0)
    np.testing.assert_allclose(out[0, 0], 0.25 * rgba[0, 0, :3] + 0.75, atol=1e-7)


def test_write_png_is_atomic_and_exact(tmp_path):
    rgba = np.zeros((3, 3, 4), dtype=np.float32)
    rgba[1, 1] = [1, 0.5, 0.25, 1]
    path = write_png(tmp_path / "out.png", rgba)
    assert os.listdir(tmp_path) == ["out.png"]  # no temp file left behind
    assert (path.stat().st_mode & 0o777) != 0o600
    loaded = read_image(path)
    np.testing.assert_array_equal(to_uint8(loaded.rgba), to_uint8(rgba))
    assert loaded.rgba[0, 0, 3] == 0.0 and loaded.rgba[1, 1, 3] == 1.0


def test_png_header_and_encoders():
    """pngfile: the header read without decoding, the fast 8-bit RGBA and exact 16-bit encoders."""
    from emoji_alpha import pngfile

    rgba = (np.arange(2 * 3 * 4).reshape(2, 3, 4) * 10).astype(np.uint8)
    data = pngfile.encode_rgba8(rgba)
    header = pngfile.read_header(data)
    assert header == (3, 2, 8, pngfile.RGBA) and header.size == (2, 3) and pngfile.is_rgba8(data)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), rgba)
    assert pngfile.read_header(data[:23]) is None and pngfile.read_header(b"GIF89a" + data[6:]) is None
    image = np.random.default_rng(0).random((5, 4, 3)).astype(np.float32)
    data16 = pngfile.encode_png16(image)
    assert pngfile.is_rgb16(data16) and not pngfile.is_rgba8(data16) and pngfile.read_header(data16).bit_depth == 16
    assert np.abs(decode_image(data16).rgba[..., :3] - image).max() <= 0.5 / 65535 + 1e-7
    assert pngfile.encode_png16(image) == data16  # no timestamp: the same image, the same bytes
