"""Driver of scripts/bench-theory: times the Swift map and GD flow (release `specgd theory`, then
`specgd-bench time-theory` rerunning the recorded configuration in-process) against the Python
references, checks that both sides computed the same answer, and prints the speed ratios."""
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SPECGD, BENCH = sys.argv[1], sys.argv[2]
PYTHON = sys.executable
BASE = ["--lambda", "8", "--dim", "1000", "--alpha", "1e-3"]


def swift(args, runs):
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "run.csv")
        subprocess.run([SPECGD, "theory", *BASE, *args, "--output", out], check=True, capture_output=True, text=True)
        text = subprocess.run([BENCH, "time-theory", "--runs", str(runs), os.path.splitext(out)[0] + ".json"],
                              check=True, capture_output=True, text=True).stdout
        seconds = float(next(line for line in text.splitlines() if line.startswith("elapsed_seconds=")).split("=")[1])
        with open(out) as handle:
            last = list(csv.DictReader(handle))[-1]
        return seconds, [float(last["a"]), float(last["b"]), float(last["c"])]


def reference(*args):
    text = subprocess.run([PYTHON, os.path.join(HERE, "theory_reference.py"), *map(str, args)],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def difference(x, y):
    return max(abs(p - q) / max(abs(q), 1e-300) for p, q in zip(x, y))


failures = 0


def check(label, x, y, tolerance):
    global failures
    error = difference(x, y)
    status = "same answer" if error <= tolerance else "DIFFERENT ANSWER"
    failures += error > tolerance
    print(f"  check {label}: max relative difference {error:.2e} (tolerance {tolerance:.0e}) -> {status}")


lr = 1e-6
print("GD map, spiked λ = 8, d = 1000, α = 1e-3, η̃ = 1e-6 (3 groups)")
swift_steps = 10_000_000
seconds, _ = swift(["--method", "gd", "--lr", str(lr), "--steps", str(swift_steps), "--every", str(swift_steps)], 3)
swift_rate = swift_steps / seconds
print(f"  swift map        {swift_rate:12.3e} steps/s")
for kind, steps in (("plain", 300_000), ("numpy", 50_000)):
    result = reference(kind, lr, steps)
    rate = steps / result["seconds"]
    _, state = swift(["--method", "gd", "--lr", str(lr), "--steps", str(steps), "--every", str(steps)], 1)
    print(f"  python {kind:<9} {rate:12.3e} steps/s   swift/{kind} = {swift_rate / rate:8.1f}x")
    check(f"swift vs {kind} after {steps} steps", state, result["state"], 1e-12)

tolerance, t_end = 1e-10, 3.0
print(f"GD flow to t = {t_end}, abs = rel tolerance {tolerance:g}")
for mine, theirs in (("rk8pd", "DOP853"), ("rkf45", "RK45")):
    seconds, state = swift(["--flow", "--method", "gd", "--stepper", mine, "--t-end", str(t_end), "--dt", str(t_end),
                            "--abs-tol", str(tolerance), "--rel-tol", str(tolerance)], 20)
    result = reference(theirs, t_end, tolerance)
    print(f"  swift {mine:<6} {seconds * 1e3:9.3f} ms   scipy {theirs:<6} {result['seconds'] * 1e3:9.3f} ms   ratio {result['seconds'] / seconds:7.1f}x")
    check(f"{mine} vs {theirs}", state, result["state"], 1e-6)

sys.exit(1 if failures else 0)
