"""Peer methods, for comparison and as user options (``--method``; named in :mod:`emoji_alpha.methods`).

Each takes the input glyph as premultiplied RGBA (h x w x 4 float32) and returns the
enlarged premultiplied RGBA (H x W x 4).

- ``twobg``: flatten over black and white, enlarge both; alpha = 1 - mean_c(white - black),
  colour = the composite over black (which is P itself).
- ``separate``: enlarge straight colour and alpha independently (what most tools do);
  straight colour of transparent pixels is black, which bleeds into edges.
- ``keygrey``: flatten over one grey key that semi-transparent pixels do not use, enlarge,
  then remove the key: with straight colour F taken from the (bilinearly enlarged) input,
  S = a F + (1 - a) g gives a = <S - g, F - g> / |F - g|^2 (least squares over channels).
- ``lanczos``: premultiplied Lanczos resampling, no LIIF.
"""

from __future__ import annotations

import numpy as np

from emoji_alpha.images import composite_over, unpremultiply
from emoji_alpha.solve.backproject import enforce_constraints

KEY_LEVELS = (0, 32, 64, 96, 128, 160, 192, 233, 255)


def enlarge_twobg(premul: np.ndarray, size: tuple[int, int], upscaler) -> np.ndarray:
    black = premul[..., :3]
    white = composite_over(premul, 1.0)
    return twobg_from(*upscaler.enlarge_many(np.stack([black, white]), size))


def twobg_from(over_black: np.ndarray, over_white: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA (H x W x 4) from the enlarged composites over black and white
    (H x W x 3 each): a = 1 - mean_c(white - black), P = the composite over black, then
    0 <= a <= 1 and 0 <= P_c <= a."""
    out = np.empty((*over_black.shape[:2], 4), np.float32)
    out[..., 3] = 1.0 - (over_white - over_black).mean(axis=2)
    out[..., :3] = over_black
    return enforce_constraints(out)


def enlarge_separate(premul: np.ndarray, size: tuple[int, int], upscaler) -> np.ndarray:
    straight = unpremultiply(premul)
    colour, alpha = upscaler.enlarge_many(np.stack([straight[..., :3], np.repeat(straight[..., 3:], 3, axis=2)]), size)
    out = np.empty((*size, 4), np.float32)
    out[..., 3] = alpha.mean(axis=2)
    out[..., :3] = colour * out[..., 3:4]
    return enforce_constraints(out)


def choose_key(premul: np.ndarray) -> float:
    """The grey key level farthest from every straight colour of semi-transparent pixels."""
    straight = unpremultiply(premul)
    soft = (premul[..., 3] > 0) & (premul[..., 3] < 1)
    colours = straight[soft][:, :3] if soft.any() else straight[premul[..., 3] > 0][:, :3]
    if colours.size == 0:
        return 0.5
    keys = np.asarray(KEY_LEVELS, np.float32) / 255.0
    distance = [np.abs(colours - key).max(axis=1).min() for key in keys]
    return float(keys[int(np.argmax(distance))])


def enlarge_keygrey(premul: np.ndarray, size: tuple[int, int], upscaler) -> np.ndarray:
    key = choose_key(premul)
    composite = composite_over(premul, key)
    return remove_key(upscaler.enlarge(composite, size), key, premul)


def remove_key(enlarged: np.ndarray, key: float, premul_lr: np.ndarray) -> np.ndarray:
    """Key removal with the colour prior F = bilinearly enlarged straight input colour
    (premultiplied, then divided, so transparent pixels do not pull it towards black):
    a = <S - g, F - g> / |F - g|^2; where F is the key itself the pixel is transparent if it
    shows the key and opaque otherwise."""
    from PIL import Image

    size = enlarged.shape[:2]
    grown = np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(premul_lr[..., c])).resize(size[::-1], Image.BILINEAR))
                      for c in range(4)], -1)
    colour = unpremultiply(np.clip(grown, 0.0, 1.0))[..., :3]
    diff_f = colour - key
    denom = (diff_f ** 2).sum(axis=2)
    shows_key = np.abs(enlarged - key).max(axis=2) <= 2.0 / 255.0
    fallback = np.where(shows_key, 0.0, 1.0).astype(np.float32)
    alpha = np.divide(((enlarged - key) * diff_f).sum(axis=2), denom, out=fallback, where=denom > 1e-3)
    out = np.empty((*size, 4), np.float32)
    out[..., 3] = np.clip(alpha, 0.0, 1.0)
    out[..., :3] = enlarged - (1.0 - out[..., 3:4]) * key
    return enforce_constraints(out)


def enlarge_lanczos(premul: np.ndarray, size: tuple[int, int], upscaler=None) -> np.ndarray:
    from PIL import Image

    channels = [np.asarray(Image.fromarray(np.ascontiguousarray(premul[..., c])).resize(size[::-1], Image.LANCZOS))
                for c in range(4)]
    return enforce_constraints(np.stack(channels, -1).astype(np.float32))
