"""Python references for the (λ, η̃) phase diagram of scripts/bench-all: escape metrics of the
spiked GD map for every grid cell, exactly as `specgd-bench phase-grid` computes them
(same cells, read from specgd's CSV; same arithmetic order, so escape steps match exactly).

- vectorised(): NumPy over the whole grid at once (one array op per formula per step) — the
  fair reference a researcher would write;
- per_cell(kind): a loop over cells, each a NumPy 3-vector loop ("numpy") or a plain Python
  loop ("plain") — what a first script usually looks like.
Rows: lambda, lr, escape_step (−1: none), a, b, alignment (at escape), final_alignment, final_loss.
"""
import numpy as np


def _metrics(a, b, c, lam, p):
    l1 = 1.0 + lam
    norm = a * a + b * b + p * (c * c)
    alignment = a * a / norm
    t = (a * a - 1.0) + l1 * (b * b) + p * (c * c)
    quad = (a * a - 1.0) * (a * a - 1.0) + l1 * l1 * (b * b) * (b * b) + p * (c * c) * (c * c)
    return alignment, 0.25 * (2 * quad + t * t)


def vectorised(lam, lr, d, alpha, steps, threshold):
    """lam, lr: arrays over the cells. Returns an array of rows (cells × 8)."""
    p = float(d - 2)
    l1 = 1.0 + lam
    a = np.full(lam.shape, alpha)
    b = a.copy()
    c = a.copy()
    escape = np.full(lam.shape, -1.0)
    at_a, at_b, at_c = a.copy(), b.copy(), c.copy()
    pending = np.ones(lam.shape, dtype=bool)
    for k in range(1, steps + 1):
        aa, bb, cc = a * a, b * b, c * c
        t = (aa - 1.0) + l1 * bb + p * cc
        ga = a * (2.0 * (aa - 1.0) + t)
        gb = (l1 * b) * ((2.0 * l1) * bb + t)
        gc = c * (2.0 * cc + t)
        a = a - lr * ga
        b = b - lr * gb
        c = c - lr * gc
        hit = pending & (a >= threshold)
        if hit.any():
            escape[hit] = k
            at_a[hit], at_b[hit], at_c[hit] = a[hit], b[hit], c[hit]
            pending &= ~hit
    # Cells that never escape report the final state (as specgd does).
    at_a[pending], at_b[pending], at_c[pending] = a[pending], b[pending], c[pending]
    alignment, _ = _metrics(at_a, at_b, at_c, lam, p)
    final_alignment, final_loss = _metrics(a, b, c, lam, p)
    return np.column_stack([lam, lr, escape, at_a, at_b, alignment, final_alignment, final_loss])


def _cell_plain(lam, lr, d, alpha, steps, threshold):
    p = float(d - 2)
    l1 = 1.0 + lam
    a = b = c = alpha
    escape, at = -1, None
    for k in range(1, steps + 1):
        aa, bb, cc = a * a, b * b, c * c
        t = (aa - 1.0) + l1 * bb + p * cc
        a, b, c = (a - lr * (a * (2.0 * (aa - 1.0) + t)), b - lr * ((l1 * b) * ((2.0 * l1) * bb + t)),
                   c - lr * (c * (2.0 * cc + t)))
        if escape < 0 and a >= threshold:
            escape, at = k, (a, b, c)
    at = at or (a, b, c)
    alignment, _ = _metrics(*at, lam, p)
    final_alignment, final_loss = _metrics(a, b, c, lam, p)
    return [lam, lr, escape, at[0], at[1], alignment, final_alignment, final_loss]


def _cell_numpy(lam, lr, d, alpha, steps, threshold):
    sigma = np.array([1.0, 1.0 + lam, 1.0])
    weight = np.array([1.0, 1.0 + lam, float(d - 2)])
    target = np.array([1.0, 0.0, 0.0])
    s = np.full(3, alpha)
    escape, at = -1, None
    for k in range(1, steps + 1):
        m = s * s - target
        t = weight @ m
        s = s - lr * ((sigma * s) * (2.0 * sigma * m + t))
        if escape < 0 and s[0] >= threshold:
            escape, at = k, s.copy()
    at = s if at is None else at
    alignment, _ = _metrics(at[0], at[1], at[2], lam, d - 2.0)
    final_alignment, final_loss = _metrics(s[0], s[1], s[2], lam, d - 2.0)
    return [lam, lr, escape, at[0], at[1], alignment, final_alignment, final_loss]


def per_cell(kind, lam, lr, d, alpha, steps, threshold):
    cell = _cell_plain if kind == "plain" else _cell_numpy
    return np.array([cell(float(x), float(y), d, alpha, steps, threshold) for x, y in zip(lam, lr)])
