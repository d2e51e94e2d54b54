#!/usr/bin/env python3
"""A straightforward NumPy implementation of `specgd simulate` (population gradient, spiked
covariance, teacher e_1, GD or SpecGD with the exact polar factor from np.linalg.svd), as a
researcher would write it. Used by scripts/bench-simulate as the speed and correctness
reference.

Only for verification, W0 (--init gaussian) is drawn with a port of specgd's generator
(xoshiro256** seeded through SplitMix64, stream = repetition + 1 via the jump function,
Box-Muller normals), so both programs start from the same bits. That set-up is not timed.

--naive uses the literal d×d formulas of MODEL.md §1 instead of the low-rank ones (what a
first implementation usually looks like; O(d³) per step even when m ≪ d).

Prints one JSON line: {"per_step": s, "svd": s, "steps": K}; writes the trajectory CSV.
"""
import argparse
import json
import math
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
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", required=True)
    p.add_argument("--naive", action="store_true",
                   help="literal MODEL.md formulas with d×d matrices (Σ as a matrix, M = WWᵀ − θθᵀ)")
    args = p.parse_args()
    d = args.dim
    m = args.width or d
    every = args.every or args.steps

    sigma = np.ones(d)
    sigma[1] = 1.0 + args.lam
    theta = np.zeros(d)
    theta[0] = 1.0
    if args.init == "identity":
        W = args.alpha * np.eye(d)
    else:
        rng = Xoshiro(args.seed, 1)
        scale = args.alpha / math.sqrt(d)
        flat = np.array([scale * rng.gaussian() for _ in range(d * m)])
        W = flat.reshape(m, d).T.copy()  # column-major fill order, as in specgd

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

    Sigma = np.diag(sigma) if args.naive else None

    def loss_and_grad_naive(W):
        # ∇L = 2ΣMΣW + tr(MΣ)ΣW, L = ¼(2 tr(MΣMΣ) + tr(MΣ)²), exactly as written in MODEL.md §1.
        M = W @ W.T - np.outer(theta, theta)
        MS = M @ Sigma
        T = np.trace(MS)
        G = 2 * Sigma @ M @ Sigma @ W + T * (Sigma @ W)
        loss = 0.25 * (2 * np.trace(MS @ MS) + T ** 2)
        return loss, G

    if args.naive:
        loss_and_grad = loss_and_grad_naive

    def record(k, W, loss):
        a = np.linalg.norm(W.T @ theta)
        b = np.linalg.norm(W[1, :])
        rest = W[2:, :]
        q = np.sum(rest * rest)
        total = np.sum(W * W)
        return [k, a, b, math.sqrt(q / (d - 2)), q, loss, loss, a * a / total, a * a / (a * a + b * b)]

    rows = []
    start = time.perf_counter()
    for k in range(args.steps + 1):
        loss, G = loss_and_grad(W)
        if k % every == 0 or k == args.steps:
            rows.append(record(k, W, loss))
        if k == args.steps:
            break
        if args.method == "gd":
            W = W - args.lr * G
        else:
            U, s, Vt = np.linalg.svd(G, full_matrices=False)
            W = W - args.lr * (U @ Vt)
    per_step = (time.perf_counter() - start) / max(args.steps, 1)

    t0 = time.perf_counter()
    reps = max(1, min(args.steps, 5))
    for _ in range(reps):
        np.linalg.svd(G, full_matrices=False)
    svd_time = (time.perf_counter() - t0) / reps

    with open(args.output, "w") as f:
        f.write("step,a,b,c,q,loss,train_loss,alignment,spike_alignment\n")
        for r in rows:
            f.write(",".join(repr(float(x)) for x in r) + "\n")
    print(json.dumps({"per_step": per_step, "svd": svd_time, "steps": args.steps}))


if __name__ == "__main__":
    main()
