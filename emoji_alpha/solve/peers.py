"""Peer methods, for comparison and as user options (``--method``).

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

from emoji_alpha.images import unpremultiply
from emoji_alpha.solve.backproject import enforce_constraints

PEER_METHODS = ("twobg", "separate", "keygrey", "lanczos")
KEY_LEVELS = (0, 32, 64, 96, 128, 160, 192, 233, 255)


def enlarge_twobg(premul: np.ndarray, size: tuple[int, int], upscaler) -> np.ndarray:
    alpha = premul[..., 3:4]
    black = premul[..., :3]
    white = premul[..., :3] + (1.0 - alpha)
    s_black, s_white = upscaler.enlarge_many(np.stack([black, white]), size)
    out = np.empty((*size, 4), np.float32)
    out[..., 3] = 1.0 - (s_white - s_black).mean(axis=2)
    out[..., :3] = s_black
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
    from PIL import Image

    key = choose_key(premul)
    composite = premul[..., :3] + (1.0 - premul[..., 3:4]) * key
    enlarged = upscaler.enlarge(composite, size)
    straight = unpremultiply(premul)
    colour = np.stack([np.asarray(Image.fromarray(straight[..., c]).resize(size[::-1], Image.BILINEAR)) for c in range(3)], -1)
    diff_f = colour - key
    denom = (diff_f ** 2).sum(axis=2)
    alpha = np.divide(((enlarged - key) * diff_f).sum(axis=2), denom, out=np.ones(size, np.float32), where=denom > 1e-4)
    out = np.empty((*size, 4), np.float32)
    out[..., 3] = np.clip(alpha, 0.0, 1.0)
    out[..., :3] = enlarged - (1.0 - out[..., 3:4]) * key
    return enforce_constraints(out)


def enlarge_lanczos(premul: np.ndarray, size: tuple[int, int], upscaler=None) -> np.ndarray:
    from PIL import Image

    channels = [np.asarray(Image.fromarray(np.ascontiguousarray(premul[..., c])).resize(size[::-1], Image.LANCZOS))
                for c in range(4)]
    return enforce_constraints(np.stack(channels, -1).astype(np.float32))


PEERS = {"twobg": enlarge_twobg, "separate": enlarge_separate, "keygrey": enlarge_keygrey, "lanczos": enlarge_lanczos}
