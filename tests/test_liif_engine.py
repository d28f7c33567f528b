"""The fast LIIF engine against the straightforward official algorithm (small random models)."""

import pytest
import torch

from emoji_alpha.liif import models
from emoji_alpha.liif.engine import LiifEngine, reference_enlarge

SPEC = {"name": "liif", "args": {
    "encoder_spec": {"name": "edsr-baseline", "args": {"no_upsampling": True}},
    "imnet_spec": {"name": "mlp", "args": {"out_dim": 3, "hidden_list": [256, 256, 256, 256]}}}}


def _model(seed=0, **args):
    torch.manual_seed(seed)
    spec = {"name": "liif", "args": {**SPEC["args"], **args}}
    spec["args"]["encoder_spec"] = {"name": "edsr-baseline", "args": {"no_upsampling": True, "n_resblocks": 2}}
    model = models.make(spec).eval()
    with torch.no_grad():  # push activations into a range where every layer matters
        for lin in model.imnet.linears:
            lin.weight.mul_(2.0)
    return model


def _images(batch, h, w, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 3, h, w, generator=g)


@pytest.fixture(scope="module")
def model():
    return _model()


@pytest.mark.parametrize("in_size,out_size", [
    ((8, 8), (32, 32)), ((7, 11), (30, 17)), ((12, 9), (5, 7)), ((6, 6), (6, 6)), ((5, 8), (23, 41)),
])
def test_engine_matches_reference(model, in_size, out_size):
    images = _images(1, *in_size)
    expected = reference_enlarge(model, images, out_size).view(1, -1, 3)
    engine = LiifEngine(model)
    got = engine.query(engine.prepare(images, out_size))
    assert got.shape == expected.shape
    assert (got - expected).abs().max().item() <= 1e-4


@pytest.mark.parametrize("fused", [True, False])
def test_fused_and_plain_layers_agree(model, fused):
    images = _images(2, 9, 10)
    expected = reference_enlarge(model, images, (21, 25)).view(2, -1, 3)
    engine = LiifEngine(model, fused=fused)
    got = engine.query(engine.prepare(images, (21, 25)))
    assert (got - expected).abs().max().item() <= 1e-4


@pytest.mark.parametrize("chunk", [1, 7, 10**9])
def test_chunk_sizes_and_pixel_subsets(model, chunk):
    images = _images(2, 8, 6)
    out_size = (19, 13)
    expected = reference_enlarge(model, images, out_size).view(2, -1, 3)
    engine = LiifEngine(model)
    prepared = engine.prepare(images, out_size)
    full = engine.query(prepared, chunk_size=chunk)
    assert (full - expected).abs().max().item() <= 1e-4
    pixels = torch.tensor([0, 5, 246, 17, 17, 100, 13 * 19 - 1])
    calls = []
    subset = engine.query(prepared, pixels, chunk_size=chunk, progress=calls.append)
    assert subset.shape == (2, pixels.numel(), 3)
    assert sum(calls) == pixels.numel()
    assert (subset - expected[:, pixels]).abs().max().item() <= 1e-4


def test_batch_equals_separate_runs(model):
    images = _images(3, 10, 7)
    engine = LiifEngine(model)
    together = engine.query(engine.prepare(images, (31, 22)), chunk_size=50)
    for k in range(3):
        alone = engine.query(engine.prepare(images[k:k + 1], (31, 22)))
        assert (together[k] - alone[0]).abs().max().item() <= 1e-5


def test_image_subsets_of_a_batch(model):
    images = _images(4, 9, 8)
    engine = LiifEngine(model)
    prepared = engine.prepare(images, (20, 17))
    together = engine.query(prepared)
    for start, stop in ((2, 3), (1, 3), (0, 2), (0, 4)):
        subset = engine.query(prepared.images(start, stop))
        assert subset.shape[0] == stop - start
        assert (subset - together[start:stop]).abs().max().item() <= 1e-5


@pytest.mark.parametrize("args", [{"local_ensemble": False}, {"cell_decode": False}, {"feat_unfold": False}])
def test_model_variants(args):
    model = _model(seed=3, **args)
    images = _images(1, 6, 9)
    expected = reference_enlarge(model, images, (17, 26)).view(1, -1, 3)
    engine = LiifEngine(model)
    got = engine.query(engine.prepare(images, (17, 26)), chunk_size=40)
    assert (got - expected).abs().max().item() <= 1e-4


def test_chunk_is_capped():
    from emoji_alpha.liif.engine import MAX_CHUNK_ROWS
    from emoji_alpha.liif.memory import MAX_CHUNK_ROWS_GPU, max_chunk_rows

    assert LiifEngine.chunk_pixels(10**9, 1) * 4 <= MAX_CHUNK_ROWS
    assert LiifEngine.chunk_pixels(10**9, 3) * 4 * 3 <= MAX_CHUNK_ROWS
    assert LiifEngine.chunk_pixels(5, 3) == 5
    assert max_chunk_rows("cpu") == MAX_CHUNK_ROWS and max_chunk_rows("cuda") == MAX_CHUNK_ROWS_GPU
    assert LiifEngine.chunk_pixels(10**9, 2, max_rows=max_chunk_rows("cuda")) * 4 * 2 <= MAX_CHUNK_ROWS_GPU


def test_half_precision_is_for_gpus(model):
    with pytest.raises(ValueError, match="GPU"):
        LiifEngine(model, half=True)


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@cuda
@pytest.mark.parametrize("half, tolerance", [(False, 1e-4), (True, 2e-2)])
def test_cuda_engine_matches_reference(half, tolerance):
    """The same engine on a GPU (big chunks), float32 within the parity bound, float16 within
    a few 8-bit levels of the CPU reference."""
    cpu_model = _model(seed=5)
    images = _images(3, 12, 10)
    expected = reference_enlarge(cpu_model, images, (45, 37)).view(3, -1, 3)
    engine = LiifEngine(_model(seed=5).cuda(), half=half)
    prepared = engine.prepare(images.cuda(), (45, 37))
    got = engine.query(prepared).float().cpu()
    assert (got - expected).abs().max().item() <= tolerance
    subset = engine.query(prepared.images(1, 3), torch.arange(0, 45 * 37, 7).cuda()).float().cpu()
    assert (subset - got[1:3, ::7]).abs().max().item() <= (1e-3 if half else 1e-5)


def _bare_upscaler(memory_limit, chunk_size=16384):
    from emoji_alpha.liif.upscaler import Upscaler

    up = object.__new__(Upscaler)  # no weights needed for the estimate
    up.chunk_size = chunk_size
    up.memory_limit = memory_limit
    return up


def test_memory_estimate_bounded_whatever_the_chunk():
    small = _bare_upscaler(8 << 30, chunk_size=1024).estimate_memory((160, 160), (2000, 2000))
    huge = _bare_upscaler(8 << 30, chunk_size=10**9).estimate_memory((160, 160), (2000, 2000))
    assert huge - small < 64 << 20
    assert huge <= int(1.5 * 2**30)


def test_memory_limit_gives_clear_error():
    from emoji_alpha.errors import EmojiAlphaError

    up = _bare_upscaler(1 << 30)
    up.check_memory((160, 160), (640, 640))
    with pytest.raises(EmojiAlphaError, match="memory limit"):
        up.check_memory((160, 160), (8000, 8000), batch=3)
