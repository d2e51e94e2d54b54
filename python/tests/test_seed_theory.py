"""Per-seed theory (docs/outputs.md): the map from every seed's own projected W₀ in
trajectories(), and the spread and seeds views of compare and check-escape folders."""
import numpy as np
import pandas as pd

import specgd

SPREAD = ["lambda", "method", "quantity", "predicted_q10", "predicted_q50", "predicted_q90",
          "measured_q10", "measured_q50", "measured_q90", "draws", "seeds", "median_inside",
          "width_agrees", "status", "reason"]
QUANTITIES = ["escape_step", "b_over_a_at_escape", "peak_amplification"]


def test_seed_theory_is_a_source_with_its_band(seeded):
    out = specgd.load(seeded / "compare")
    frame = out.trajectories()
    for method in ("gd", "specgd"):
        table = out.tables[f"compare-{method}"]
        seed = frame[(frame.method == method) & (frame.source == "seed theory")]
        assert len(seed) == len(table) and seed["seed"].isna().all()
        assert np.array_equal(seed["step"].to_numpy(), table["step"].to_numpy())
        for stat in ("a", "b", "b_over_a", "loss"):
            # mean and q10/q90 over the per-seed theory runs, column for column
            np.testing.assert_array_equal(seed[stat].to_numpy(), table[f"{stat}_seed_theory"].to_numpy())
            np.testing.assert_array_equal(seed[f"{stat}_q10"].to_numpy(), table[f"{stat}_seed_theory_q10"].to_numpy())
            np.testing.assert_array_equal(seed[f"{stat}_q90"].to_numpy(), table[f"{stat}_seed_theory_q90"].to_numpy())
        # Gaussian starts differ by seed: a band of non-zero width, and not the map from αI.
        assert (seed["b_q90"] - seed["b_q10"]).max() > 0
        theory = frame[(frame.method == method) & (frame.source == "theory")]
        assert not np.allclose(seed["b"].to_numpy(), theory["b"].to_numpy())
        # The simulation keeps its seeds' band too.
        sim = frame[(frame.method == method) & (frame.source == "simulation")]
        np.testing.assert_array_equal(sim["b_q90"].to_numpy(), table["b_sim_q90"].to_numpy())


def test_compare_spread_in_words(seeded):
    out = specgd.load(seeded / "compare")
    spread = out.spread()
    assert list(spread.columns) == SPREAD
    assert list(spread["method"]) == ["gd"] * 3 + ["specgd"] * 3
    assert list(spread["quantity"]) == QUANTITIES * 2
    assert (spread["lambda"] == 8.0).all() and (spread["draws"] == 400).all() and (spread["seeds"] == 2).all()
    # The same numbers as spread-<method>.csv, row for row (quantity_code 0, 1, 2).
    for method in ("gd", "specgd"):
        table = out.tables[f"spread-{method}"]
        rows = spread[spread.method == method]
        for column in SPREAD[3:9]:
            np.testing.assert_array_equal(rows[column].to_numpy(dtype=float), table[column].to_numpy(dtype=float))
    # GD does not escape within 150 steps: not checkable, with the reason; SpecGD's check is made
    # on the escape step, its median test not at 2 seeds (it needs 5), the width test decides.
    gd = spread[(spread.method == "gd") & (spread.quantity == "escape_step")].iloc[0]
    assert gd["status"] == "not checkable" and "did not escape" in gd["reason"]
    spec = spread[(spread.method == "specgd") & (spread.quantity == "escape_step")].iloc[0]
    assert spec["median_inside"] == "not checkable" and "needs 5 seeds" in spec["reason"]
    assert spec["width_agrees"] == "yes" and spec["status"] == "pass"
    assert spread[spread.quantity != "escape_step"]["status"].isna().all()


def test_check_escape_spread_and_seeds(seeded):
    out = specgd.load(seeded / "check-escape")
    spread = out.spread()
    assert list(spread.columns) == SPREAD
    table = out.tables["spread"]
    assert len(spread) == len(table) == 2 * 3
    assert list(spread["method"]) == ["gd"] * 3 + ["specgd"] * 3
    assert list(spread["method"].map({"gd": 0, "specgd": 1})) == list(table["is_specgd"])
    assert np.allclose(spread["lambda"], table["lambda"])
    for column in SPREAD[3:9]:
        np.testing.assert_allclose(spread[column].to_numpy(dtype=float), table[column].to_numpy(dtype=float))
    assert set(spread.loc[spread.quantity == "escape_step", "status"]) <= {"pass", "fail", "not checkable"}
    seeds = out.seeds()
    assert list(seeds.columns[:3]) == ["lambda", "method", "seed"] and "is_specgd" not in seeds
    assert len(seeds) == len(out.tables["seeds"]) == 2 * 2
    assert list(seeds["method"]) == ["gd", "gd", "specgd", "specgd"]
    np.testing.assert_array_equal(seeds["escape_step_theory"], out.tables["seeds"]["escape_step_theory"])


def test_compare_seeds_and_folder_views(seeded):
    out = specgd.load(seeded)
    seeds = out["compare"].seeds()
    assert list(seeds.columns[:4]) == ["lambda", "method", "seed", "escape_step_sim"]
    assert list(seeds["method"]) == ["gd", "gd", "specgd", "specgd"]
    assert (seeds.loc[seeds.method == "specgd", "escape_step_sim"] > 0).all()
    # A folder of folders concatenates its children's views.
    assert len(out.spread()) == 6 + 6 and len(out.seeds()) == 4 + 4
    assert set(out.spread()["method"]) == {"gd", "specgd"}


def test_no_seed_theory_gives_empty_views(outputs):
    # check-escape --no-simulation: no per-seed theory; a theory run has none either.
    assert specgd.load(outputs / "check-escape").spread().empty
    assert specgd.load(outputs / "check-escape").seeds().empty
    theory = specgd.load(outputs / "theory-gd.csv")
    assert theory.spread().empty and list(theory.spread().columns) == SPREAD
    assert "seed theory" not in set(theory.trajectories()["source"])
