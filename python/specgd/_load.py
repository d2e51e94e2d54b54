"""Reading specgd's output folders (docs/outputs.md) into typed objects.

Every file is untrusted data: JSON is parsed with the standard library, CSVs with pandas;
nothing is evaluated or unpickled, and only files inside the folder given are read (symbolic
links that lead out of it are skipped). Paths named inside a record are never opened.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import numpy as np
import pandas as pd

__all__ = [
    "Output", "Trajectory", "Compare", "CheckEscape", "Figures", "Sweep", "Run", "Folder",
    "load", "STATISTICS",
]

#: The statistics every trajectory table shares (docs/outputs.md, "Trajectory columns"),
#: then compare's ratio.
STATISTICS = ["a", "b", "c", "q", "loss", "alignment", "spike_alignment", "b_over_a"]
_TRAJECTORY_FRONT = ["method", "source", "seed", "step"]
#: The sources of a compare (or figures) table: its column suffix, and the suffix of its band over
#: seeds (None: a single run, no band).
_WIDE_SOURCES = [("theory", "_theory", None), ("simulation", "_sim", "_sim"),
                 ("seed theory", "_seed_theory", "_seed_theory")]
_SPREAD_QUANTITIES = [("escape_step", "escapeStep", "measuredEscapeStep"),
                      ("b_over_a_at_escape", "ratioAtEscape", "measuredRatioAtEscape"),
                      ("peak_amplification", "peakAmplification", "measuredPeakAmplification")]
_SPREAD_COLUMNS = ["lambda", "method", "quantity", "predicted_q10", "predicted_q50", "predicted_q90",
                   "measured_q10", "measured_q50", "measured_q90", "draws", "seeds", "median_inside",
                   "width_agrees", "status", "reason"]
_CHECK_COLUMNS = ["lambda", "method", "source", "quantity", "kind", "predicted", "measured",
                  "relative_error", "tolerance", "status", "reason", "window_steps", "diverged_step"]
_SOURCES = {"theory-map": "theory", "theory": "theory", "simulation": "simulation"}
_MAX_DEPTH = 8


def _read_json(path: Path) -> dict:
    with open(path, "r", encoding="utf-8") as handle:
        value = json.load(handle)
    if not isinstance(value, dict):
        raise ValueError(f"{path}: not a JSON record (an object was expected)")
    return value


def _read_csv(path: Path) -> pd.DataFrame:
    # specgd writes nan, inf and -inf; words (status, method, cell_id) stay strings.
    return pd.read_csv(path, na_values=["nan"], keep_default_na=False)


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _files(directory: Path, root: Path) -> List[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and _inside(root, p))


def _configuration(record: Optional[Mapping]) -> Mapping:
    value = (record or {}).get("configuration")
    return value if isinstance(value, Mapping) else {}


@dataclass
class Output:
    """One output of specgd: its folder (or CSV), its records and tables.

    ``record`` is the main JSON record (``None`` where a folder has none of its own, such as a
    figures folder or a folder of folders); ``records`` holds every JSON record read, by file
    name; ``tables`` every CSV as a DataFrame, by file name without ``.csv``; ``children`` the
    outputs inside a folder of folders, by name.
    """

    path: Path
    kind: str
    record: Optional[Dict[str, Any]] = None
    records: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    tables: Dict[str, pd.DataFrame] = field(default_factory=dict)
    children: Dict[str, "Output"] = field(default_factory=dict)

    def trajectories(self) -> pd.DataFrame:
        """Every trajectory in long form: method, source (theory, simulation, seed theory), seed,
        step, statistics, then ``<stat>_q10``/``<stat>_q90`` where a source has a band over seeds."""
        return _concat([child.trajectories() for child in self.children.values()], _TRAJECTORY_FRONT)

    def checks(self) -> pd.DataFrame:
        """Every escape-stage check (check-escape folders inside this one), one row per check."""
        return _concat([child.checks() for child in self.children.values()], _CHECK_COLUMNS)

    def spread(self) -> pd.DataFrame:
        """Per-seed theory's spread over seeds (compare and check-escape folders inside this one):
        one row per λ, method and quantity, predicted against measured, the spread check in words."""
        return _concat([child.spread() for child in self.children.values()], _SPREAD_COLUMNS)

    def seeds(self) -> pd.DataFrame:
        """Per-seed theory, one row per seed (compare and check-escape folders inside this one)."""
        return _concat([child.seeds() for child in self.children.values()], ["lambda", "method", "seed"])

    def _summary(self) -> Mapping:
        """The record's ``summary`` object ({} without a record or a summary)."""
        return (self.record or {}).get("summary") or {}

    def __getitem__(self, name: str) -> "Output":
        return self.children[name]


def _concat(frames: Iterable[pd.DataFrame], columns: List[str]) -> pd.DataFrame:
    # Empty frames are left out: concatenated, they would turn the others' columns to objects.
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True, sort=False)


def _long(frame: pd.DataFrame, method: str, source: str, seed: Any) -> pd.DataFrame:
    stats = [c for c in STATISTICS if c in frame.columns]
    bands = [f"{c}_{q}" for c in stats for q in ("q10", "q90") if f"{c}_{q}" in frame.columns]
    out = frame[["step"] + stats + bands].copy()
    out.insert(0, "seed", pd.array([seed] * len(out), dtype="Int64"))
    out.insert(0, "source", source)
    out.insert(0, "method", method)
    return out


def _wide_to_long(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """A compare-<method>.csv table (also figures' trajectories-*.csv) in long form.

    Three sources: the theory map from αI, the simulation (mean over seeds, with the seeds'
    q10/q90) and the per-seed theory (the map from every seed's own projected W₀: mean over
    seeds, with q10/q90), the last only where the table has its `_seed_theory` columns.
    """
    parts = []
    for source, suffix, band in _WIDE_SOURCES:
        names = {f"{s}{suffix}": s for s in STATISTICS if f"{s}{suffix}" in frame.columns}
        if band is not None:
            names.update({f"{s}{band}_{q}": f"{s}_{q}" for s in STATISTICS for q in ("q10", "q90")
                          if f"{s}{band}_{q}" in frame.columns})
        if not names:
            continue
        part = frame[["step"] + list(names)].rename(columns=names)
        # Both sides over seeds are summaries (mean, quantiles): no single seed.
        parts.append(_long(part, method, source, None))
    return _concat(parts, _TRAJECTORY_FRONT)


@dataclass
class Trajectory(Output):
    """`specgd theory` or `specgd simulate`: PATH.csv with its record PATH.json (and PATH.seeds.csv)."""

    def trajectories(self) -> pd.DataFrame:
        method = str(_configuration(self.record).get("method", "unknown"))
        if self.kind == "theory":
            return _long(self.tables["trajectory"], method, "theory", None)
        seeds = self.tables.get("seeds")
        if seeds is not None:
            parts = [_long(rows.drop(columns="seed"), method, "simulation", int(seed))
                     for seed, rows in seeds.groupby("seed", sort=True)]
            return pd.concat(parts, ignore_index=True)
        return _long(self.tables["trajectory"], method, "simulation", 0)


@dataclass
class Compare(Output):
    """`specgd compare`: report.json, compare-<method>.csv, overlay.*."""

    def trajectories(self) -> pd.DataFrame:
        parts = [_wide_to_long(frame, name[len("compare-"):])
                 for name, frame in self.tables.items() if name.startswith("compare-")]
        if "compare" in self.tables:  # records of 0.1.0: one method wrote compare.csv
            methods = _configuration(self.record).get("methods") or ["unknown"]
            parts.append(_wide_to_long(self.tables["compare"], str(methods[0])))
        return _concat(parts, _TRAJECTORY_FRONT)

    def _method_entries(self) -> List[Mapping]:
        """report.json's ``summary.methods``, one object per method."""
        return [e for e in self._summary().get("methods") or [] if isinstance(e, Mapping)]

    def spread(self) -> pd.DataFrame:
        """Per method, three rows (escape step, b/a at escape, peak amplification): the spread over
        seeds predicted from the law of W₀ against the measured seeds, read from report.json
        (``lambda`` is the theory's)."""
        entries = self._method_entries()
        return _spread_frame((_compare_lambda(e), e.get("method"), e.get("spread"), e.get("seedTheoryNote")) for e in entries)

    def seeds(self) -> pd.DataFrame:
        """seeds-<method>.csv, one row per method and seed, behind ``lambda`` (the theory's) and
        ``method`` columns, as check-escape's."""
        entries = self._method_entries()
        lambdas = {str(e.get("method")): _compare_lambda(e) for e in entries}
        parts = []
        for name, frame in self.tables.items():
            if name.startswith("seeds-"):
                method = name[len("seeds-"):]
                frame = frame.copy()
                frame.insert(0, "method", method)
                frame.insert(0, "lambda", lambdas.get(method, float("nan")))
                parts.append(frame)
        return _concat(parts, ["lambda", "method", "seed"])


@dataclass
class CheckEscape(Output):
    """`specgd check-escape`: escape-check.json/.csv, amplification.csv, rho-curve.csv."""

    def checks(self) -> pd.DataFrame:
        """One row per check, in words (read from escape-check.json's rows, not the CSV's codes)."""
        rows = self._summary().get("rows") or []
        data = []
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            status = str(row.get("status", ""))
            data.append({
                "lambda": row.get("lambda"),
                "method": row.get("method"),
                "source": _SOURCES.get(str(row.get("source")), row.get("source")),
                "quantity": row.get("quantity"),
                "kind": row.get("kind"),
                "predicted": row.get("predicted"),
                "measured": row.get("measured"),
                "relative_error": row.get("relativeError"),
                "tolerance": row.get("tolerance"),
                "status": status.replace("-", " "),
                "reason": row.get("reason"),
                "window_steps": row.get("windowSteps"),
                "diverged_step": row.get("divergedStep"),
            })
        frame = pd.DataFrame(data, columns=_CHECK_COLUMNS)
        for column in ("lambda", "predicted", "measured", "relative_error", "tolerance",
                       "window_steps", "diverged_step"):
            # Non-finite numbers are the strings "NaN", "Infinity", "-Infinity" in records.
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame

    def spread(self) -> pd.DataFrame:
        """Per λ and method with dense runs, three rows (escape step, b/a at escape, peak
        amplification): predicted against measured spread, read from escape-check.json's
        ``summary.seedTheory``; empty without simulations."""
        entries = self._summary().get("seedTheory") or []
        return _spread_frame((entry.get("lambda"), entry.get("method"), entry.get("spread"), entry.get("note"))
                             for entry in entries if isinstance(entry, Mapping))

    def seeds(self) -> pd.DataFrame:
        """seeds.csv, one row per λ, method and seed, with the method in words (for ``is_specgd``)."""
        frame = self.tables.get("seeds")
        if frame is None:
            return pd.DataFrame(columns=["lambda", "method", "seed"])
        frame = frame.copy()
        if "is_specgd" in frame.columns:
            words = frame.pop("is_specgd").map({0: "gd", 1: "specgd"})
            frame.insert(1 if "lambda" in frame.columns else 0, "method", words)
        return frame


def _compare_lambda(entry: Mapping) -> float:
    """A compare method's λ: its theory's, on the spiked covariance (NaN on any other, as
    check-escape's rows)."""
    theory = entry.get("theory") if isinstance(entry.get("theory"), Mapping) else {}
    return _number(theory.get("lambda")) if theory.get("covariance", "spiked") == "spiked" else float("nan")


def _number(value: Any) -> float:
    """A record's number as a float: NaN for absent, for a word, and for "NaN" (records write
    non-finite numbers as the strings "NaN", "Infinity", "-Infinity")."""
    if isinstance(value, bool) or value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _yes_no(value: Any) -> Optional[str]:
    return {True: "yes", False: "no"}.get(value) if isinstance(value, bool) else None


def _spread_frame(entries: Iterable[tuple]) -> pd.DataFrame:
    """The spread rows of (λ, method, spread record, note) entries: three quantities each, the
    escape-step check in words on the escape-step row (SpreadCheck, docs/outputs.md)."""
    data = []
    for lam, method, spread, note in entries:
        spread = spread if isinstance(spread, Mapping) else {}
        prediction = spread.get("prediction") if isinstance(spread.get("prediction"), Mapping) else {}
        check = spread.get("escapeCheck") if isinstance(spread.get("escapeCheck"), Mapping) else {}
        for quantity, predicted_key, measured_key in _SPREAD_QUANTITIES:
            predicted = prediction.get(predicted_key) if isinstance(prediction.get(predicted_key), Mapping) else {}
            measured = spread.get(measured_key) if isinstance(spread.get(measured_key), Mapping) else {}
            row = {"lambda": _number(lam), "method": None if method is None else str(method), "quantity": quantity}
            for side, values in (("predicted", predicted), ("measured", measured)):
                for q in ("q10", "q50", "q90"):
                    row[f"{side}_{q}"] = _number(values.get(q))
            row["draws"] = _number(prediction.get("draws"))  # (integers; Int64 below)
            row["seeds"] = _number(check.get("seeds"))
            if not spread:
                row.update(median_inside=None, width_agrees=None, status="not run",
                           reason=None if note is None else str(note))
            elif quantity == "escape_step":
                row.update(_spread_check_words(check))
            else:  # the check is made on the escape step only
                row.update(median_inside=None, width_agrees=None, status=None, reason=None)
            data.append(row)
    frame = pd.DataFrame(data, columns=_SPREAD_COLUMNS)
    for column in ("draws", "seeds"):
        frame[column] = frame[column].astype(float).round().astype("Int64")
    return frame


def _spread_check_words(check: Mapping) -> Dict[str, Optional[str]]:
    """The escape-step spread check in words: each test "yes", "no" or "not checkable", the
    verdict as SpreadCheck.passed decides it (a median test not made leaves the width test's)."""
    median, width = check.get("medianInside"), check.get("widthAgrees")
    median_skipped, not_checkable = check.get("medianNotCheckable"), check.get("notCheckable")
    words = {"median_inside": _yes_no(median) or "not checkable",
             "width_agrees": _yes_no(width) or "not checkable"}
    if median is False or width is False:
        status = "fail"
    elif (median is True or median_skipped is not None) and width is True:
        status = "pass"
    else:
        status = "not checkable"
    reasons = [str(r) for r in (not_checkable, median_skipped) if r is not None]
    words.update(status=status, reason="; ".join(reasons) or None)
    return words


@dataclass
class Figures(Output):
    """`specgd figures`: NAME.svg, NAME.recipe.json and the CSVs each figure draws, with sidecars."""

    def trajectories(self) -> pd.DataFrame:
        parts = []
        for name, frame in self.tables.items():
            if not name.startswith("trajectories-"):
                continue
            method = name[len("trajectories-"):]
            if method == "optimizer":
                options = _configuration(self.records.get(name + ".json")).get("options") or {}
                method = str((options.get("optimizer") or {}).get("method", method))
            parts.append(_wide_to_long(frame, method))
        return _concat(parts, _TRAJECTORY_FRONT)


@dataclass
class Sweep(Output):
    """`specgd sweep` (and `merge`, `plot-phase`): sweep.json, cells.csv, phase-<metric>.*."""

    @property
    def axes(self) -> List[str]:
        """The grid's axes, in the order given (the cells.csv column names)."""
        grid = _configuration(self.record).get("grid") or {}
        return [str(axis.get("parameter")) for axis in grid.get("axes") or [] if isinstance(axis, Mapping)]

    def cells(self) -> pd.DataFrame:
        """cells.csv: one row per cell (axes, derived values, metrics, seed, status, diverged_step)."""
        return self.tables["cells"].copy()

    def grid(self, metric: str, stat: Optional[str] = None, at: Optional[Mapping[str, Any]] = None,
             index: Optional[str] = None, columns: Optional[str] = None) -> pd.DataFrame:
        """A metric over the two numeric axes: the first as index, the second as columns.

        ``stat`` picks ``<metric>_<stat>`` of a multi-seed sweep (default ``mean`` when the plain
        column is absent). Every other axis is fixed with ``at={"axis": value, …}``; ``index`` and
        ``columns`` name the two axes when there are more than two numeric ones.
        """
        cells = self.cells()
        at = dict(at or {})
        column = metric if stat is None else f"{metric}_{stat}"
        if column not in cells.columns and stat is None and f"{metric}_mean" in cells.columns:
            column = f"{metric}_mean"
        if column not in cells.columns:
            metrics = _configuration(self.record).get("metrics") or []
            raise KeyError(f"no column {column!r} in cells.csv (metrics: {', '.join(map(str, metrics))})")
        axes = self.axes
        for name in at:
            if name not in axes:
                raise KeyError(f"{name!r} is not an axis of this sweep (axes: {', '.join(axes)})")
        free = [a for a in axes if a not in at]
        numeric = [a for a in free if pd.api.types.is_numeric_dtype(cells[a])]
        chosen = [a for a in numeric if a not in (index, columns)]
        if index is None and chosen:
            index = chosen.pop(0)
        if columns is None and chosen:
            columns = chosen.pop(0)
        if index is None or columns is None or index == columns:
            raise ValueError(f"grid needs two numeric axes (free axes: {', '.join(free) or 'none'})")
        rest = [a for a in free if a not in (index, columns)]
        if rest:
            raise ValueError(f"fix the other axes with at={{…}}: {', '.join(rest)}")
        selected = cells
        for name, value in at.items():
            selected = selected[_matches(selected[name], value)]
            if selected.empty:
                raise ValueError(f"no cell has {name} = {value!r}")
        return selected.pivot(index=index, columns=columns, values=column).sort_index().sort_index(axis=1)


def _matches(values: pd.Series, value: Any) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not isinstance(value, str):
        return pd.Series(np.isclose(values.to_numpy(dtype=float), float(value), rtol=1e-12, atol=0.0),
                         index=values.index)
    return values.astype(str) == str(value)


@dataclass
class Run(Output):
    """`specgd run`: run.json and every step's outputs in folders below it (``children``)."""


@dataclass
class Folder(Output):
    """A folder of outputs (such as out/demo): each CSV/JSON pair and each subfolder a child."""


_DIRECTORY_KINDS = [("sweep.json", "sweep", Sweep), ("escape-check.json", "check-escape", CheckEscape),
                    ("report.json", "compare", Compare), ("run.json", "run", Run)]


def load(path: Union[str, os.PathLike]) -> Output:
    """Read any specgd output: a theory/simulate CSV or its JSON, or a folder of any kind."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_file():
        return _load_pair(path, path.parent)
    return _load_directory(path, path, 0)


def _load_pair(path: Path, root: Path) -> Output:
    stem = path.name[:-len(".json")] if path.name.endswith(".json") else path.name
    stem = stem[:-len(".csv")] if stem.endswith(".csv") else stem
    csv, sidecar, seeds = (path.with_name(stem + ext) for ext in (".csv", ".json", ".seeds.csv"))
    record = _read_json(sidecar) if sidecar.is_file() else None
    kind = str((record or {}).get("kind", "table"))
    tables = {}
    if csv.is_file():
        tables["trajectory"] = _read_csv(csv)
    if seeds.is_file():
        tables["seeds"] = _read_csv(seeds)
    if kind in ("theory", "simulate"):
        if "trajectory" not in tables:
            raise ValueError(f"{sidecar}: a {kind} record without its table {csv.name}")
        return Trajectory(csv, kind, record, {sidecar.name: record}, tables)
    return Output(csv if csv.is_file() else path, kind, record, {sidecar.name: record} if record else {}, tables)


def _load_directory(directory: Path, root: Path, depth: int) -> Output:
    if depth > _MAX_DEPTH:
        raise ValueError(f"{directory}: folders nested deeper than {_MAX_DEPTH} levels")
    files = _files(directory, root)
    names = {p.name for p in files}
    records = {}
    tables = {}
    for p in files:
        if p.suffix == ".json":
            try:
                records[p.name] = _read_json(p)
            except (ValueError, UnicodeDecodeError) as error:
                raise ValueError(f"{p}: not a specgd record ({error})") from None
        elif p.suffix == ".csv":
            tables[p.name[:-len(".csv")]] = _read_csv(p)
    children = {}
    for sub in sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink() and _inside(root, p)):
        child = _load_directory(sub, root, depth + 1)
        if child.records or child.tables or child.children:
            children[sub.name] = child
    for marker, kind, cls in _DIRECTORY_KINDS:
        record = records.get(marker)
        if record is not None and record.get("kind") == kind:
            return cls(directory, kind, record, records, tables, children)
    if any(r.get("kind") == "figures" for r in records.values()):
        return Figures(directory, "figures", None, records, tables, children)
    # A folder of folders (out/demo, a run's step folder): every CSV with a record is one output.
    for p in files:
        if p.suffix == ".csv" and not p.name.endswith(".seeds.csv") and (p.stem + ".json") in names:
            children[p.stem] = _load_pair(p, root)
    return Folder(directory, "folder", None, records, tables, children)
