#!/usr/bin/env python3
"""A straightforward NumPy implementation of `specgd simulate` (spiked covariance, teacher e_1,
GD or SpecGD with the exact polar factor from np.linalg.svd; population gradient, or a fixed
data set with --samples N), as a researcher would write it. Used by scripts/bench-simulate and
scripts/bench-all as the speed and correctness reference.

Only for verification, W0 (--init gaussian) and the data set are drawn with a port of specgd's
generator, in specgd's order (Trainer.swift, InitialWeights.swift, SampleObjective.swift):
repetition r uses stream r + 1 of the master seed --seed (xoshiro256** seeded through
SplitMix64, then the jump function r + 1 times); Box-Muller normals in pairs, the spare kept
across draws; first W0 (d×m, column-major fill order, scale α/√d), then the samples one after
another, x_i = √σ ⊙ z_i (z_i standard normal, coordinate by coordinate, in Σ's eigenbasis),
y_i = (θ*ᵀx_i)². So both programs start from the same bits and train on the same samples. That
set-up is not timed (a researcher would call np.random; the port costs ~1 µs a deviate);
--data-cache FILE.npz keeps it between repeats.

--seeds S runs repetitions 0 … S−1 one after another (as a loop over seeds would), writing
every repetition's rows with a leading seed column (the layout of specgd's PATH.seeds.csv).

--naive uses the literal d×d formulas of docs/model.md §1 instead of the low-rank ones (what a
first implementation usually looks like; O(d³) per step even when m ≪ d).

Prints one JSON line: {"per_step": s (mean over seeds), "loop_seconds": [s per seed],
"svd": s, "steps": K, "blas": threadpoolctl's view of NumPy's BLAS or null}; writes the CSV.
"""
import argparse
import json
import math
import os
import time

import numpy as np

MASK = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed, stream):
        sm = seed
        state = []
        for _ in range(4):
            sm = (sm + 0x9E3779B97F4A7C15) & MASK
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state
        self.spare = None
        for _ in range(stream):
            self.jump()

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def jump(self):
        acc = [0, 0, 0, 0]
        for word in (0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C):
            for b in range(64):
                if word & (1 << b):
                    acc = [a ^ s for a, s in zip(acc, self.s)]
                self.next()
        self.s = acc
        self.spare = None

    def gaussians(self, count):
        """The next `count` values of gaussian(), as a list (the same numbers, in order, with the
        pair's spare carried in and out); the generator inlined for speed (~1 µs a deviate)."""
        out = []
        append = out.append
        if count > 0 and self.spare is not None:
            append(self.spare)
            self.spare = None
        s0, s1, s2, s3 = self.s
        log, sqrt, cos, sin, two_pi, unit = math.log, math.sqrt, math.cos, math.sin, 2.0 * math.pi, 2.0 ** -53
        while len(out) < count:
            pair = []
            for _ in range(2):
                result = (s1 * 5) & MASK
                result = ((((result << 7) | (result >> 57)) & MASK) * 9) & MASK
                t = (s1 << 17) & MASK
                s2 ^= s0
                s3 ^= s1
                s1 ^= s2
                s0 ^= s3
                s2 ^= t
                s3 = ((s3 << 45) | (s3 >> 19)) & MASK
                pair.append(result)
            u1 = 1.0 - (pair[0] >> 11) * unit
            u2 = (pair[1] >> 11) * unit
            radius = sqrt(-2.0 * log(u1))
            angle = two_pi * u2
            append(radius * cos(angle))
            if len(out) < count:
                append(radius * sin(angle))
            else:
                self.spare = radius * sin(angle)
        self.s = [s0, s1, s2, s3]
        return out

    def gaussian(self):
        if self.spare is not None:
            g, self.spare = self.spare, None
            return g
        u1 = 1.0 - (self.next() >> 11) * 2.0 ** -53
        u2 = (self.next() >> 11) * 2.0 ** -53
        radius = math.sqrt(-2.0 * math.log(u1))
        angle = 2.0 * math.pi * u2
        self.spare = radius * math.sin(angle)
        return radius * math.cos(angle)


def blas_info():
    """NumPy's BLAS as threadpoolctl reports it (library, version, kernel, threads), or None."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return [{k: v for k, v in lib.items() if k != "filepath"} for lib in threadpoolctl.threadpool_info()
            if lib.get("user_api") == "blas"]


def draw(args, d, m, repetition, sigma, theta):
    """W0 and (with --samples) X, y exactly as specgd draws them for `repetition`."""
    rng = Xoshiro(args.seed, repetition + 1)
    if args.init == "identity":
        W = args.alpha * np.eye(d)
    else:
        scale = args.alpha / math.sqrt(d)
        flat = scale * np.array(rng.gaussians(d * m))
        W = flat.reshape(m, d).T.copy()  # column-major fill order, as in specgd
    X = y = None
    if args.samples:
        n = args.samples
        X = np.array(rng.gaussians(n * d)).reshape(n, d) * np.sqrt(sigma)  # sample by sample
        y = (X @ theta) ** 2
    return W, X, y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=["gd", "specgd"], default="specgd")
    p.add_argument("--lambda", dest="lam", type=float, default=8.0)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--width", type=int, default=None)
    p.add_argument("--init", choices=["identity", "gaussian"], default="gaussian")
    p.add_argument("--alpha", type=float, default=1e-3)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--every", type=int, default=None)
    p.add_argument("--seed", type=int, default=0, help="master seed, as specgd's --seed")
    p.add_argument("--seeds", type=int, default=1, help="repetitions 0 … S−1, one after another")
    p.add_argument("--samples", type=int, default=None, help="train on a fixed data set of N samples")
    p.add_argument("--data-cache", default=None, help="npz file keeping W0 (and X, y) between runs")
    p.add_argument("--output", required=True)
    p.add_argument("--naive", action="store_true",
                   help="literal docs/model.md §1 formulas with d×d matrices (Σ as a matrix, M = WWᵀ − θθᵀ)")
    args = p.parse_args()
    d = args.dim
    m = args.width or d
    every = args.every or args.steps

    sigma = np.ones(d)
    sigma[1] = 1.0 + args.lam
    theta = np.zeros(d)
    theta[0] = 1.0
    sigma_theta = sigma * theta
    energy = theta @ sigma_theta

    def loss_and_grad(W):
        SW = sigma[:, None] * W
        A = W.T @ SW
        u = W.T @ sigma_theta
        T = np.trace(A) - energy
        G = 2 * sigma[:, None] * (W @ A - np.outer(theta, u)) + T * SW
        loss = 0.25 * (2 * (np.sum(A * A) - 2 * u @ u + energy ** 2) + T ** 2)
        return loss, G

    def population_loss(W):
        SW = sigma[:, None] * W
        A = W.T @ SW
        u = W.T @ sigma_theta
        T = np.trace(A) - energy
        return 0.25 * (2 * (np.sum(A * A) - 2 * u @ u + energy ** 2) + T ** 2)

    Sigma = np.diag(sigma) if args.naive else None

    def loss_and_grad_naive(W):
        # ∇L = 2ΣMΣW + tr(MΣ)ΣW, L = ¼(2 tr(MΣMΣ) + tr(MΣ)²), exactly as written in docs/model.md §1.
        M = W @ W.T - np.outer(theta, theta)
        MS = M @ Sigma
        T = np.trace(MS)
        G = 2 * Sigma @ M @ Sigma @ W + T * (Sigma @ W)
        loss = 0.25 * (2 * np.trace(MS @ MS) + T ** 2)
        return loss, G

    if args.naive:
        loss_and_grad = loss_and_grad_naive

    def record(k, W, loss, train):
        a = np.linalg.norm(W.T @ theta)
        b = np.linalg.norm(W[1, :])
        rest = W[2:, :]
        q = np.sum(rest * rest)
        total = np.sum(W * W)
        return [k, a, b, math.sqrt(q / (d - 2)), q, loss, train, a * a / total, a * a / (a * a + b * b)]

    def train(W, X, y):
        """The timed step loop of one repetition: its rows and its wall time."""
        rows = []
        n = args.samples
        start = time.perf_counter()
        for k in range(args.steps + 1):
            recording = k % every == 0 or k == args.steps
            if X is None:
                loss, G = loss_and_grad(W)
                train_loss = loss
            else:
                # The finite-sample gradient as one writes it: f_i = ‖Wᵀx_i‖², r = f − y,
                # L_n = ‖r‖²/4n, ∇L_n = Xᵀ(r ⊙ XW)/n.
                XW = X @ W
                r = np.sum(XW * XW, axis=1) - y
                train_loss = (r @ r) / (4 * n)
                loss = population_loss(W) if recording else None
                G = X.T @ (r[:, None] * XW) / n  # also at the last step, as specgd's final evaluation
            if recording:
                rows.append(record(k, W, loss, train_loss))
            if k == args.steps:
                break
            if args.method == "gd":
                W = W - args.lr * G
            else:
                U, s, Vt = np.linalg.svd(G, full_matrices=False)
                W = W - args.lr * (U @ Vt)
        return rows, time.perf_counter() - start, G

    cache = None
    if args.data_cache and os.path.exists(args.data_cache):
        cache = np.load(args.data_cache)
    drawn = {}
    all_rows, loops = [], []
    for r in range(args.seeds):
        if cache is not None:
            W0 = cache[f"W{r}"]
            X, y = (cache[f"X{r}"], cache[f"y{r}"]) if args.samples else (None, None)
        else:
            W0, X, y = draw(args, d, m, r, sigma, theta)
            drawn[f"W{r}"] = W0
            if args.samples:
                drawn[f"X{r}"], drawn[f"y{r}"] = X, y
        rows, seconds, G = train(W0, X, y)
        all_rows.append(rows)
        loops.append(seconds)
    if args.data_cache and cache is None:
        np.savez(args.data_cache, **drawn)
    per_step = sum(loops) / (max(args.steps, 1) * args.seeds)

    t0 = time.perf_counter()
    reps = max(1, min(args.steps, 5))
    for _ in range(reps):
        np.linalg.svd(G, full_matrices=False)
    svd_time = (time.perf_counter() - t0) / reps

    columns = "step,a,b,c,q,loss,train_loss,alignment,spike_alignment"
    with open(args.output, "w") as f:
        f.write(("seed," if args.seeds > 1 else "") + columns + "\n")
        for r, rows in enumerate(all_rows):
            for row in rows:
                f.write(((f"{r}," if args.seeds > 1 else "") + ",".join(repr(float(x)) for x in row)) + "\n")
    print(json.dumps({"per_step": per_step, "loop_seconds": loops, "svd": svd_time, "steps": args.steps,
                      "blas": blas_info()}))


if __name__ == "__main__":
    main()
