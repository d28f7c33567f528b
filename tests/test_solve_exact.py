"""Exact alpha solver: agreement between backends, optimality against scipy, exact recovery,
constraints, degenerate backgrounds, sub-solvers and losses."""

from __future__ import annotations

import clikit
import numpy as np
import pytest
from scipy.optimize import minimize

from emoji_alpha.solve import (
    BACKENDS,
    choose_backend,
    recompositing_loss,
    residuals,
    solve_alpha_given_colour,
    solve_colour_given_alpha,
    solve_exact,
    sufficient_stats,
)

#: Every backend other than numba (the reference) on each device it runs on, for the comparison below.
OTHERS = [pytest.param(name, device, id=f"{name}-{device}") for name in BACKENDS if name != "numba"
          for device in ("cpu", "cuda")]
DISTINCT_BGS = [[0.0, 1.0], [0.0, 0.5, 1.0], [0.2, 0.7, 0.9, 0.3], [0.25, 0.25, 0.75], [0.1, 0.15]]


def loss64(stack, b, p, a):
    """Reference per-pixel loss in float64; stack (K, N, 3), p (N, 3), a (N,)."""
    stack = np.asarray(stack, np.float64)
    b = np.asarray(b, np.float64)[:, None, None]
    r = stack - np.asarray(p, np.float64)[None] - (1.0 - np.asarray(a, np.float64))[None, :, None] * b
    return (r * r).sum((0, 2))


def composite(p, a, b):
    b = np.asarray(b, np.float64)[:, None, None]
    return p[None] + (1.0 - a)[None, :, None] * b


def random_rgba(rng, n):
    """Mixture of ordinary, transparent, opaque, black/white-premultiplied (active bounds) pixels."""
    a = rng.uniform(0, 1, n)
    q = rng.uniform(0, 1, (n, 3))
    kind = rng.integers(0, 6, n)
    a[kind == 1] = 0.0
    a[kind == 2] = 1.0
    q[kind == 3] = rng.choice([0.0, 1.0], size=(int((kind == 3).sum()), 3))
    return q * a[:, None], a


def random_stack(rng, n, b, noise=0.15, wild=0.1):
    """Noisy composites (so constraints bind) plus a fraction of arbitrary values in [-0.5, 1.5]."""
    p, a = random_rgba(rng, n)
    s = composite(p, a, b) + rng.normal(0, noise, (len(b), n, 3))
    w = rng.uniform(0, 1, n) < wild
    s[:, w] = rng.uniform(-0.5, 1.5, (len(b), int(w.sum()), 3))
    return s.astype(np.float32)


def check_constraints(p, a):
    assert p.dtype == np.float32 and a.dtype == np.float32
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(a))
    assert np.all(a >= 0) and np.all(a <= 1)
    assert np.all(p >= 0) and np.all(p <= a[..., None])


def scipy_solve(s, b):
    """Best SLSQP solution of the 4-variable QP from a few starts; s (K, 3), b (K,)."""
    s = np.asarray(s, np.float64)
    b = np.asarray(b, np.float64)

    def fun(x):
        r = s - x[None, :3] - (1.0 - x[3]) * b[:, None]
        grad = np.empty(4)
        grad[:3] = -2.0 * r.sum(0)
        grad[3] = 2.0 * (r * b[:, None]).sum()
        return float((r * r).sum()), grad

    cons = [{"type": "ineq", "fun": lambda x, c=c: x[3] - x[c],
             "jac": lambda x, c=c: np.eye(4)[3] - np.eye(4)[c]} for c in range(3)]
    best = None
    for x0 in ([0.25, 0.25, 0.25, 0.5], [0.0, 0.0, 0.0, 0.0], [0.9, 0.9, 0.9, 1.0]):
        res = minimize(fun, np.array(x0), jac=True, method="SLSQP", bounds=[(0, 1)] * 4,
                       constraints=cons, options={"ftol": 1e-15, "maxiter": 500})
        x = res.x.copy()
        x[3] = min(max(x[3], 0.0), 1.0)
        x[:3] = np.clip(x[:3], 0.0, x[3])
        val = fun(x)[0]
        if best is None or val < best[0]:
            best = (val, x)
    return best


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(1234)


def _needs_device(device: str) -> None:
    if device == "cuda":
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("no CUDA device")


@pytest.mark.parametrize("backend, device", OTHERS)
@pytest.mark.parametrize("b", DISTINCT_BGS + [[0.5], [0.3, 0.3]], ids=str)
def test_backends_agree(backend, device, b):
    """Every public function on each backend and device against numba's."""
    _needs_device(device)
    rng = np.random.default_rng(7)
    s = random_stack(rng, 4000, b)
    p1, a1 = solve_exact(s, b, backend="numba")
    p2, a2 = solve_exact(s, b, backend=backend, device=device)
    np.testing.assert_allclose(a1, a2, rtol=0, atol=1e-5)
    np.testing.assert_allclose(p1, p2, rtol=0, atol=1e-5)
    reference = sufficient_stats(s, b, backend="numba")
    stats = sufficient_stats(s, b, backend=backend, device=device)
    assert (reference.backend, stats.backend) == ("numba", backend)  # the sub-solvers below run there
    p, a = (x.astype(np.float32) for x in random_rgba(rng, 4000))
    np.testing.assert_allclose(solve_alpha_given_colour(stats, p), solve_alpha_given_colour(reference, p),
                               rtol=0, atol=1e-5)
    np.testing.assert_allclose(solve_colour_given_alpha(stats, a), solve_colour_given_alpha(reference, a),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(recompositing_loss(s, b, p, a, backend=backend, device=device),
                               recompositing_loss(s, b, p, a), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(residuals(s, b, p, a, backend=backend, device=device), residuals(s, b, p, a),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("b", [[0.0, 0.5, 1.0], [0.2, 0.9]], ids=str)
def test_matches_scipy(backend, b):
    rng = np.random.default_rng(99)
    s = random_stack(rng, 150, b, wild=0.2)
    p, a = solve_exact(s, b, backend=backend)
    ours = loss64(s, b, p, a)
    for i in range(s.shape[1]):
        val, x = scipy_solve(s[:, i], b)
        assert ours[i] <= val + 1e-9, (i, ours[i], val)
        # distinct backgrounds: the minimiser is unique
        np.testing.assert_allclose(np.r_[p[i], a[i]], x, atol=2e-4)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("b", DISTINCT_BGS, ids=str)
def test_exact_recovery(backend, b):
    rng = np.random.default_rng(5)
    # float32-representable truth so the composites are exact up to one float32 rounding
    p, a = random_rgba(rng, 3000)
    a = a.astype(np.float32).astype(np.float64)
    p = np.minimum(p.astype(np.float32).astype(np.float64), a[:, None])
    s = composite(p, a, b).astype(np.float32)
    pe, ae = solve_exact(s, b, backend=backend)
    spread = np.ptp(b)
    tol = 1e-6 if spread >= 0.5 else 1e-6 / spread
    np.testing.assert_allclose(ae, a, rtol=0, atol=tol)
    np.testing.assert_allclose(pe, p, rtol=0, atol=tol)


@pytest.mark.parametrize("backend", BACKENDS)
def test_constraints_always_hold(backend):
    rng = np.random.default_rng(3)
    for b in DISTINCT_BGS + [[0.0], [1.0], [0.4, 0.4, 0.4]]:
        s = rng.uniform(-5, 5, (len(b), 2000, 3)).astype(np.float32)
        s[:, :500] = random_stack(rng, 500, b)
        p, a = solve_exact(s, b, backend=backend)
        check_constraints(p, a)


@pytest.mark.parametrize("backend", BACKENDS)
def test_transparent_and_opaque(backend):
    rng = np.random.default_rng(11)
    b = [0.0, 0.5, 1.0]
    # transparent: S_k = b_k exactly
    s = np.broadcast_to(np.asarray(b, np.float32)[:, None, None], (3, 50, 3)).copy()
    p, a = solve_exact(s, b, backend=backend)
    assert np.all(a == 0) and np.all(p == 0)
    # opaque: the same observation over every background
    colour = rng.uniform(0, 1, (50, 3)).astype(np.float32)
    s = np.broadcast_to(colour, (3, 50, 3)).copy()
    p, a = solve_exact(s, b, backend=backend)
    np.testing.assert_allclose(a, 1.0, rtol=0, atol=1e-7)
    np.testing.assert_allclose(p, colour, rtol=0, atol=1e-6)
    check_constraints(p, a)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spatial_shapes(backend):
    rng = np.random.default_rng(2)
    b = [0.0, 1.0]
    s = random_stack(rng, 6 * 7, b).reshape(2, 6, 7, 3)
    p, a = solve_exact(s, b, backend=backend)
    assert p.shape == (6, 7, 3) and a.shape == (6, 7)
    p_flat, a_flat = solve_exact(s.reshape(2, -1, 3), b, backend=backend)
    np.testing.assert_array_equal(p.reshape(-1, 3), p_flat)
    np.testing.assert_array_equal(a.reshape(-1), a_flat)
    assert recompositing_loss(s, b, p, a, backend=backend).shape == (6, 7)
    assert residuals(s, b, p, a, backend=backend).shape == (6, 7, 3)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("b", [[0.5], [0.0], [1.0], [0.3, 0.3, 0.3]], ids=str)
def test_equal_backgrounds_tie_break(backend, b):
    rng = np.random.default_rng(8)
    s = random_stack(rng, 1000, b)
    p1, a1 = solve_exact(s, b, backend=backend)
    p2, a2 = solve_exact(s, b, backend=backend)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(a1, a2)
    check_constraints(p1, a1)
    assert np.all(a1 == 1.0)  # default tie-break: the opaque minimiser
    # every prior gives a minimiser of the (alpha-blind) loss, alpha as close to the prior as allowed
    best = loss64(s, b, p1, a1)
    prior = rng.uniform(0, 1, 1000)
    p3, a3 = solve_exact(s, b, alpha_prior=prior, backend=backend)
    check_constraints(p3, a3)
    np.testing.assert_allclose(loss64(s, b, p3, a3), best, rtol=1e-6, atol=1e-9)
    p0, a0 = solve_exact(s, b, alpha_prior=0.0, backend=backend)  # a_lo: the smallest minimiser
    np.testing.assert_allclose(loss64(s, b, p0, a0), best, rtol=1e-6, atol=1e-9)
    assert np.all(a3 >= a0 - 1e-7)
    moved = a3 != prior.astype(np.float32)
    np.testing.assert_allclose(a3[moved], a0[moved], atol=1e-6)  # prior below a_lo -> a_lo
    # lowering any alpha below a_lo would cost something
    if b[0] not in (0.0, 1.0):
        lower = np.clip(a0 - 0.01, 0, 1)
        stats = sufficient_stats(s, b, backend=backend)
        pl = solve_colour_given_alpha(stats, lower)
        worse = loss64(s, b, pl, lower) > best + 1e-9
        assert np.all(worse[a0 > 0.01])


@pytest.mark.parametrize("backend", BACKENDS)
def test_k1_composite_and_black(backend):
    # over black, the smallest minimiser is the classic alpha = max channel
    s = np.array([[[0.2, 0.5, 0.1], [0.0, 0.0, 0.0]]], np.float32)
    p, a = solve_exact(s, [0.0], alpha_prior=0.0, backend=backend)
    np.testing.assert_allclose(a, [0.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(p, s[0], atol=1e-7)
    p, a = solve_exact(s, [0.0], backend=backend)
    np.testing.assert_array_equal(a, [1.0, 1.0])
    np.testing.assert_allclose(p, s[0], atol=1e-7)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("b", [[0.0, 0.5, 1.0], [0.3, 0.8], [0.5], [0.0, 0.0]], ids=str)
def test_subsolvers_never_increase_loss(backend, b):
    rng = np.random.default_rng(21)
    n = 3000
    s = random_stack(rng, n, b, wild=0.3)
    stats = sufficient_stats(s, b, backend=backend)
    a = rng.uniform(0, 1, n).astype(np.float32)
    a[: n // 10] = rng.choice([0.0, 1.0], n // 10)
    p = (rng.uniform(0, 1, (n, 3)) * a[:, None]).astype(np.float32)
    p = np.minimum(p, a[:, None])
    before = loss64(s, b, p, a)
    a_new = solve_alpha_given_colour(stats, p)
    assert a_new.dtype == np.float32
    assert np.all(a_new <= 1) and np.all(p <= a_new[:, None])
    assert np.all(loss64(s, b, p, a_new) <= before + 1e-9 * (1 + before))
    p_new = solve_colour_given_alpha(stats, a)
    check_constraints(p_new, a)
    assert np.all(loss64(s, b, p_new, a) <= before + 1e-9 * (1 + before))
    # the joint solution is a fixed point of both restricted solvers
    pj, aj = solve_exact(s, b, backend=backend)
    np.testing.assert_allclose(solve_colour_given_alpha(stats, aj), pj, atol=1e-6)
    if len(set(b)) > 1:
        np.testing.assert_allclose(solve_alpha_given_colour(stats, pj), aj, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_alpha_given_colour_is_the_1d_minimum(backend):
    rng = np.random.default_rng(4)
    b = [0.0, 0.6, 1.0]
    s = random_stack(rng, 200, b, wild=0.3)
    p = (rng.uniform(0, 1, (200, 3)) * rng.uniform(0, 1, (200, 1))).astype(np.float32)
    a = solve_alpha_given_colour(sufficient_stats(s, b, backend=backend), p)
    grid = np.linspace(0, 1, 2001)
    for i in range(200):
        feasible = grid[grid >= p[i].max()]
        vals = loss64(s[:, [i]].repeat(len(feasible), 1), b, np.repeat(p[[i]], len(feasible), 0), feasible)
        assert loss64(s[:, [i]], b, p[[i]], a[[i]])[0] <= vals.min() + 1e-9


@pytest.mark.parametrize("backend", BACKENDS)
def test_loss_and_residuals(backend):
    rng = np.random.default_rng(6)
    b = [0.0, 0.25, 1.0]
    s = random_stack(rng, 500, b)
    p, a = random_rgba(rng, 500)
    loss = recompositing_loss(s, b, p, a, backend=backend)
    assert loss.dtype == np.float32 and loss.shape == (500,)
    np.testing.assert_allclose(loss, loss64(s, b, p, a), rtol=1e-6, atol=1e-7)
    r = residuals(s, b, p, a, backend=backend)
    expect = (s - composite(p, a, b)).mean(0)
    np.testing.assert_allclose(r, expect, rtol=1e-6, atol=1e-7)
    # exact composites have zero loss at the truth
    s0 = composite(p, a, b).astype(np.float32)
    assert recompositing_loss(s0, b, p, a, backend=backend).max() < 1e-12


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_input_raises(backend):
    s = np.zeros((2, 4, 3), np.float32)
    with pytest.raises(ValueError):
        solve_exact(s, [0.0, 2.0], backend=backend)
    with pytest.raises(ValueError):
        solve_exact(s, [0.0], backend=backend)
    with pytest.raises(ValueError):
        solve_exact(np.zeros((2, 4, 4), np.float32), [0.0, 1.0], backend=backend)
    bad = s.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError):
        solve_exact(bad, [0.0, 1.0], backend=backend)
    with pytest.raises(ValueError):
        solve_exact(bad, [0.5, 0.5], backend=backend)
    with pytest.raises(ValueError):
        solve_exact(s, [0.0, 1.0], backend="jax")


def test_import_is_cheap():
    code = ("import sys, emoji_alpha.solve; "
            "print(any(m.split('.')[0] in ('numba', 'torch') for m in sys.modules))")
    out = clikit.python(code)
    assert out.stdout.strip() == "False"


def test_auto_backend_choice():
    """auto: torch for a small band in a fresh process (numba's start-up would cost more than the
    solve), numba for a large one or when the caller has already run numba for the same glyph."""
    code = ("import sys; from emoji_alpha.solve import choose_backend, AUTO_NUMBA_PIXELS as n; "
            "print(choose_backend('auto', 1000), choose_backend('auto', n), choose_backend('numba', 10), "
            "'numba' in sys.modules)")
    out = clikit.python(code)
    assert out.stdout.split() == ["torch", "numba", "numba", "False"]
    with pytest.raises(ValueError):
        choose_backend("jax", 10)
    # the solver's own functions resolve auto the same way, by the problem's size
    s = random_stack(np.random.default_rng(1), 100, [0.0, 1.0])
    assert sufficient_stats(s, [0.0, 1.0], backend="auto").backend == "torch"


def test_auto_backend_is_a_function_of_its_arguments():
    """What the process has run before does not change auto's choice (it used to: numba once
    numba had started, anywhere in the process)."""
    from emoji_alpha.solve import _numba_kernels  # noqa: F401 - numba has started in this process
    from emoji_alpha.solve import AUTO_NUMBA_PIXELS

    assert choose_backend("auto", 1000) == "torch"
    assert choose_backend("auto", 1000, numba_started=True) == "numba"
    assert choose_backend("auto", AUTO_NUMBA_PIXELS) == "numba"
    assert choose_backend("torch", AUTO_NUMBA_PIXELS, numba_started=True) == "torch"


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_pipeline_solve_same_for_every_backend(backend):
    """The pipeline's solve on each backend against numba's. The numba reference runs first, so
    numba has started in this process: auto must still take torch for this small band, and this
    compares torch with numba whichever backend is asked for."""
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.pipeline import solve_stack

    rng = np.random.default_rng(5)
    lr = rng.random((6, 6, 4)).astype(np.float32)
    lr[..., 3] = np.where(rng.random((6, 6)) < 0.3, 1.0, lr[..., 3])
    lr[..., :3] *= lr[..., 3:]
    options = EnlargeOptions()
    levels = np.asarray(options.backgrounds, np.float32)[:, None, None, None]
    up = np.repeat(np.repeat(lr, 4, 0), 4, 1)
    stack = (up[None, ..., :3] + (1 - up[None, ..., 3:]) * levels + rng.normal(0, 0.01, (len(levels), 24, 24, 3))
             ).astype(np.float32)
    reference, report_ref = solve_stack(stack, lr, EnlargeOptions(backend="numba", passes=2))
    result, report = solve_stack(stack, lr, EnlargeOptions(backend=backend, passes=2))
    assert (report_ref.backend, report.backend) == ("numba", "torch")
    np.testing.assert_allclose(result, reference, atol=1e-6)
    assert report.loss == pytest.approx(report_ref.loss, rel=1e-5)
    assert [p.changed for p in report.passes] == [p.changed for p in report_ref.passes]
