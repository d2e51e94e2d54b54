"""Real outputs of the specgd binary ($SPECGD_BIN, else specgd on PATH), generated once per session."""
import os
import shutil

import pytest

import specgd


@pytest.fixture(scope="session")
def binary():
    if not (os.environ.get("SPECGD_BIN") or shutil.which("specgd")):
        pytest.fail("set SPECGD_BIN to a specgd binary (scripts/test sets the debug build's)")
    return specgd.binary()


@pytest.fixture(scope="session")
def outputs(binary, tmp_path_factory):
    """One folder holding a theory pair, a simulate pair, a compare, a check-escape and a sweep folder."""
    root = tmp_path_factory.mktemp("outputs")
    specgd.run("theory", method="gd", dim=50, steps=500, every=100, output=root / "theory-gd.csv")
    specgd.run("simulate", method="gd", dim=12, steps=200, every=100, seeds=2, init="gaussian",
               no_wall_time=True, output=root / "sim.csv")
    specgd.run("compare", methods=["gd", "specgd"], dim=12, steps=200, every=50, output_dir=root / "compare")
    specgd.run("check-escape", lambdas=[2, 8], dim=32, no_simulation=True, output_dir=root / "check-escape")
    specgd.run("sweep", grid=["lambda=1,8", "lr=1e-3,1e-2"], dim=50, steps=500,
               metric=["escape_step", "peak_amplification"], output_dir=root / "sweep")
    return root


@pytest.fixture(scope="session")
def seeded(binary, tmp_path_factory):
    """Per-seed theory: a compare and a check-escape from Gaussian starts over 2 seeds, every seed escaping
    (SpecGD at lr 0.01 within 150 steps; GD at λ = 8 within check-escape's budget) but compare's GD."""
    root = tmp_path_factory.mktemp("seeded")
    specgd.run("compare", methods=["gd", "specgd"], dim=12, steps=150, lr=0.01, init="gaussian", seeds=2,
               output_dir=root / "compare")
    specgd.run("check-escape", lambdas=[8], dim=12, seeds=2, output_dir=root / "check-escape")
    return root
