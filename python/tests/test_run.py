import subprocess
from pathlib import Path

import pytest

import specgd


def test_options_become_flags():
    words = specgd.command_line("sweep", "extra", grid=["lambda=1,8", "lr=1e-3"], metric=["escape_step", "final_loss"],
                                no_simulation=True, resume=False, seed=None, output_dir=Path("out/x"))
    assert words == ["sweep", "extra", "--grid", "lambda=1,8", "--grid", "lr=1e-3",
                     "--metric", "escape_step,final_loss", "--no-simulation", "--output-dir", "out/x"]


def test_run_into_a_temporary_folder(binary):
    out = specgd.run("theory", method="specgd", dim=50, steps=500, every=250)
    assert out.kind == "theory" and out.path.name == "theory.csv" and out.path.is_file()
    assert list(out.trajectories()["step"]) == [0, 250, 500]
    assert set(out.trajectories()["method"]) == {"specgd"}


def test_run_returns_stdout_of_commands_without_outputs(binary):
    version = specgd.run("--version")
    assert version.strip() == subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()


def test_bad_input_raises_with_the_one_line_message(binary, tmp_path):
    with pytest.raises(specgd.SpecgdError) as caught:
        specgd.run("theory", dim=-3, output=tmp_path / "t.csv")
    assert caught.value.status == 1
    assert caught.value.message.startswith("Error:") and "--dim" in caught.value.message
    assert "\n" not in caught.value.message
    with pytest.raises(specgd.SpecgdError) as caught:
        specgd.run("theory", no_such_option=3, output=tmp_path / "u.csv")
    assert caught.value.status == 64 and "--no-such-option" in caught.value.message


def test_missing_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("SPECGD_BIN", str(tmp_path / "specgd"))
    with pytest.raises(specgd.SpecgdError, match="not an executable"):
        specgd.run("theory")
