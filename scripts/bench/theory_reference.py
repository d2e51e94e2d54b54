"""Python references for scripts/bench-theory: the spiked GD map as a plain Python loop and
as a NumPy loop, and the GD flow with SciPy's solve_ivp. Each prints one JSON line with the
final state and the best wall time, so the driver can check the answers and form ratios."""
import json
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp


def plain_map(lam, d, alpha, lr, steps):
    p = d - 2
    a = b = c = alpha
    for _ in range(steps):
        t = (a * a - 1) + (1 + lam) * b * b + p * c * c
        ga = a * (2 * (a * a - 1) + t)
        gb = (1 + lam) * b * (2 * (1 + lam) * b * b + t)
        gc = c * (2 * c * c + t)
        a, b, c = a - lr * ga, b - lr * gb, c - lr * gc
    return [a, b, c]


def numpy_map(lam, d, alpha, lr, steps):
    sigma = np.array([1.0, 1.0 + lam, 1.0])
    mult = np.array([1.0, 1.0, d - 2.0])
    target = np.array([1.0, 0.0, 0.0])
    weight = mult * sigma
    s = np.full(3, alpha)
    for _ in range(steps):
        m = s * s - target
        t = weight @ m
        s = s - lr * (sigma * s * (2 * sigma * m + t))
    return s.tolist()


QUINTIC = (3.4445, -4.7750, 2.0315)


def numpy_muon_map(lam, d, alpha, lr, steps, k=5, beta=0.95, nesterov=True, eps=1e-7):
    """The exact optimizer map of docs/model.md §6 for Muon on the spiked 3-group model, a
    transcription of the rules (not of specgd's code): B <- beta B + G, U = G + beta B
    (Nesterov) or B, x = U / (||U||_F + eps) with ||U||_F^2 = sum_g p_g U_g^2, K quintic
    steps x <- x ((b x^2 + c x^4) + a), s <- s - lr x."""
    qa, qb, qc = QUINTIC
    sigma = np.array([1.0, 1.0 + lam, 1.0])
    mult = np.array([1.0, 1.0, d - 2.0])
    target = np.array([1.0, 0.0, 0.0])
    weight = mult * sigma
    s = np.full(3, alpha)
    buf = np.zeros(3)
    for _ in range(steps):
        m = s * s - target
        t = weight @ m
        g = sigma * s * (2 * sigma * m + t)
        buf = beta * buf + g
        u = g + beta * buf if nesterov else buf
        x = u / (np.sqrt(mult @ (u * u)) + eps)
        for _ in range(k):
            x2 = x * x
            x = x * ((qb * x2 + qc * (x2 * x2)) + qa)
        s = s - lr * x
    return s.tolist()


def numpy_muon_escape_batch(lam, d, alpha, lrs, steps, threshold=0.5, k=5, beta=0.95, eps=1e-7):
    """numpy_muon_map (Nesterov) for a row of learning rates at once, vectorised over the cells
    as a NumPy user would write a phase-diagram row: state arrays of shape (3, cells). Returns
    each cell's escape step (first step with |a| >= threshold) or None."""
    qa, qb, qc = QUINTIC
    lrs = np.asarray(lrs, dtype=float)
    sigma = np.array([1.0, 1.0 + lam, 1.0])[:, None]
    mult = np.array([1.0, 1.0, d - 2.0])[:, None]
    target = np.array([1.0, 0.0, 0.0])[:, None]
    weight = mult * sigma
    s = np.full((3, lrs.size), alpha)
    buf = np.zeros_like(s)
    escape = np.full(lrs.size, -1)
    for step in range(1, steps + 1):
        m = s * s - target
        t = (weight * m).sum(axis=0)
        g = sigma * s * (2 * sigma * m + t)
        buf = beta * buf + g
        u = g + beta * buf
        x = u / (np.sqrt((mult * (u * u)).sum(axis=0)) + eps)
        for _ in range(k):
            x2 = x * x
            x = x * ((qb * x2 + qc * (x2 * x2)) + qa)
        s = s - lrs * x
        new = (escape < 0) & (np.abs(s[0]) >= threshold)
        escape[new] = step
    return [int(e) if e >= 0 else None for e in escape]


def gd_flow(lam, d, alpha, t_end, method, tol):
    p = d - 2

    def rhs(_, y):
        a, b, c = y
        t = (a * a - 1) + (1 + lam) * b * b + p * c * c
        return [-a * (2 * (a * a - 1) + t), -(1 + lam) * b * (2 * (1 + lam) * b * b + t), -c * (2 * c * c + t)]

    sol = solve_ivp(rhs, (0.0, t_end), [alpha] * 3, method=method, rtol=tol, atol=tol)
    return sol.y[:, -1].tolist(), int(sol.nfev)


def best_time(fn, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    kind = sys.argv[1]
    lam, d, alpha = 8.0, 1000, 1e-3
    if kind in ("plain", "numpy"):
        lr, steps = float(sys.argv[2]), int(sys.argv[3])
        fn = plain_map if kind == "plain" else numpy_map
        elapsed, state = best_time(lambda: fn(lam, d, alpha, lr, steps), 2)
        print(json.dumps({"kind": kind, "steps": steps, "seconds": elapsed, "state": state}))
    else:
        t_end, tol = float(sys.argv[2]), float(sys.argv[3])
        elapsed, (state, nfev) = best_time(lambda: gd_flow(lam, d, alpha, t_end, kind, tol), 5)
        print(json.dumps({"kind": kind, "seconds": elapsed, "state": state, "nfev": nfev}))


if __name__ == "__main__":
    main()
