"""CITATION.cff is valid YAML in the CFF 1.2.0 shape and carries the version specgd prints."""
import subprocess
from pathlib import Path

import yaml

import specgd

CITATION = Path(__file__).resolve().parents[2] / "CITATION.cff"


def test_citation_parses_and_matches_the_binary(binary):
    citation = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "preferred-citation"):
        assert citation[key], key
    paper = citation["preferred-citation"]
    assert paper["title"].startswith("Spectral Gradient Descent Mitigates")
    assert [a["family-names"] for a in paper["authors"]] == ["Braun", "Bao", "Huang", "Imaizumi"]
    assert citation["references"][0]["title"] == paper["title"]
    printed = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert printed == citation["version"] == specgd.__version__
