"""The peers' methods (emoji_alpha.peers) on inputs whose answer is known.

A nearest-neighbour "upscaler" enlarges without inventing anything, so a method that
separates colour from alpha correctly must give back the enlarged input itself."""

from __future__ import annotations

import numpy as np
import pytest

from emoji_alpha.images import composite_over
from emoji_alpha.peers import (KEY_LEVELS, choose_key, enlarge_keygrey, enlarge_lanczos, enlarge_separate, enlarge_twobg,
                               remove_key, twobg_from)


class NearestUpscaler:
    """Integer-factor pixel repetition with the Upscaler's two calls."""

    def enlarge(self, image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        fy, fx = size[0] // image.shape[0], size[1] // image.shape[1]
        return np.repeat(np.repeat(image, fy, axis=0), fx, axis=1)

    def enlarge_many(self, images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        return np.stack([self.enlarge(image, size) for image in images])


def glyph(seed: int = 0, size: int = 12) -> np.ndarray:
    """Premultiplied RGBA with transparent, opaque and semi-transparent pixels."""
    rng = np.random.default_rng(seed)
    alpha = rng.choice([0.0, 1.0, 0.5, 0.25, 0.8], size=(size, size)).astype(np.float32)
    colour = rng.uniform(0, 1, (size, size, 3)).astype(np.float32)
    return np.concatenate([colour * alpha[..., None], alpha[..., None]], -1)


def grown(premul: np.ndarray, factor: int) -> np.ndarray:
    return NearestUpscaler().enlarge(premul, (premul.shape[0] * factor, premul.shape[1] * factor))


def test_twobg_from_exact_composites_gives_the_glyph_back():
    premul = glyph()
    out = twobg_from(premul[..., :3], composite_over(premul, 1.0))
    np.testing.assert_allclose(out, premul, atol=1e-6)


def test_twobg_from_keeps_the_constraints():
    rng = np.random.default_rng(1)
    black, white = rng.uniform(-0.3, 1.3, (2, 9, 7, 3)).astype(np.float32)
    out = twobg_from(black, white)
    assert out.shape == (9, 7, 4) and out.dtype == np.float32
    alpha = out[..., 3:]
    assert (alpha >= 0).all() and (alpha <= 1).all()
    assert (out[..., :3] >= 0).all() and (out[..., :3] <= alpha).all()


@pytest.mark.parametrize("method", [enlarge_twobg, enlarge_separate])
def test_two_image_peers_recover_a_lossless_enlargement(method):
    premul = glyph()
    out = method(premul, (36, 36), NearestUpscaler())
    np.testing.assert_allclose(out, grown(premul, 3), atol=2e-6)


def test_choose_key_avoids_the_soft_pixels_colours():
    premul = glyph()
    key = choose_key(premul)
    soft = (premul[..., 3] > 0) & (premul[..., 3] < 1)
    straight = premul[..., :3][soft] / premul[..., 3][soft][:, None]
    distance = {level: np.abs(straight - level / 255.0).max(axis=1).min() for level in KEY_LEVELS}
    assert round(key * 255) in KEY_LEVELS
    assert distance[round(key * 255)] == max(distance.values())  # no other key is farther from them all


def test_remove_key_recovers_alpha_when_the_prior_is_right():
    # one flat colour everywhere: the bilinear colour prior is then exact
    alpha = np.array([[0.0, 0.3], [0.7, 1.0]], np.float32)
    colour = np.array([0.9, 0.2, 0.1], np.float32)
    premul = np.concatenate([colour * alpha[..., None], alpha[..., None]], -1)
    key = choose_key(premul)
    out = remove_key(composite_over(premul, key), key, premul)
    np.testing.assert_allclose(out, premul, atol=1e-5)


def test_keygrey_and_lanczos_give_constrained_images_of_the_asked_size():
    premul = glyph(2)
    for out in (enlarge_keygrey(premul, (24, 24), NearestUpscaler()), enlarge_lanczos(premul, (24, 36))):
        assert out.dtype == np.float32 and out.shape[2] == 4
        assert (out[..., 3] >= 0).all() and (out[..., 3] <= 1).all() and (out[..., :3] <= out[..., 3:] + 1e-7).all()
    assert enlarge_lanczos(premul, (24, 36)).shape == (24, 36, 4)
