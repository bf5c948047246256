"""Each `make bench` run's figures, kept as JSON, and the change against the previous run.

`benchmarks/results/last.json` holds the latest run; `benchmarks/results/history.jsonl` one line
per run, from which each backend and size is compared with the latest earlier run that measured
it. Both are git-ignored: the figures depend on the machine and on what else it was doing
(load average), so they are a local history to compare runs on one machine, not a record to
merge; the README keeps the dated figures worth keeping.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
LAST = RESULTS / "last.json"
HISTORY = RESULTS / "history.jsonl"

#: Figures compared between runs: key -> (label, unit, lower is better).
COMPARED: dict[str, tuple[str, str, bool]] = {
    "rebuild_s": ("rebuild", "s", True),
    "api_p50_ms": ("API p50", "ms", True),
    "api_p95_ms": ("API p95", "ms", True),
    "api_p99_ms": ("API p99", "ms", True),
    "static_p95_ms": ("static p95", "ms", True),
    "own_p95_ms": ("app's own cost p95", "ms", True),
    "neutral_p95_ms": ("neutral layer + engine p95", "ms", True),
    "engine_p95_ms": ("engine only p95", "ms", True),
    "own_over_neutral": ("own cost / (neutral + engine) p95", "x", True),
    "api_cpu_ms": ("server CPU per API request", "ms", True),
    "own_cpu_over_neutral_cpu": ("own CPU / (neutral + engine) CPU", "x", True),
    "cold_ms": ("first search after start", "ms", True),
    "peak_mb": ("server peak memory", "MB", True),
    "visible_median_ms": ("change visible, median", "ms", True),
    "visible_max_ms": ("change visible, max", "ms", True),
    "rps_1": ("1 client", "req/s", False),
    "rps_2": ("2 clients", "req/s", False),
    "rps_4": ("4 clients", "req/s", False),
}


def load_all(path: Path = HISTORY) -> list[dict[str, Any]]:
    """Return every kept run, oldest first (unreadable lines are skipped)."""
    runs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            runs.append(json.loads(line))
        except ValueError:
            continue
    return runs


def save(run: dict[str, Any], last: Path = LAST, history: Path = HISTORY) -> None:
    """Keep `run` as the latest figures and append it to the history."""
    last.parent.mkdir(parents=True, exist_ok=True)
    run = _plain(run)
    text = json.dumps(run, indent=1, sort_keys=True)
    last.write_text(text + "\n", encoding="utf-8")
    with history.open("a", encoding="utf-8") as out:
        out.write(json.dumps(run, sort_keys=True) + "\n")


def _plain(value: Any) -> Any:
    """Return `value` with NaN and infinities as None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _key(row: dict[str, Any]) -> tuple[str, int]:
    return (str(row.get("backend")), int(row.get("listings", 0)))


def deltas(previous: list[dict[str, Any]], current: dict[str, Any]) -> list[str]:
    """Return lines saying how each compared figure moved since the latest of the `previous`
    runs (oldest first) that measured the same backend at the same size."""
    if not previous:
        return ["  no previous run to compare with (this run is the first kept)."]
    lines = [f"  this run: load average {_load(current)}"]
    for row in current.get("rows", []):
        backend, listings = _key(row)
        title = f"  {backend} at {listings:,} listings"
        found = _latest(previous, (backend, listings))
        if found is None:
            lines.append(f"{title}: no earlier run measured it.")
            continue
        run, old = found
        lines.append(
            f"{title}, against the run of {run.get('started', '?')} "
            f"(commit {run.get('commit') or '?'}, load average {_load(run)}):"
        )
        moved = []
        for key, (label, unit, lower_better) in COMPARED.items():
            now, then = row.get(key), old.get(key)
            if not _number(now) or not _number(then):
                continue
            change = (now - then) / then * 100 if then else 0.0
            better = (now < then) == lower_better if now != then else None
            word = "" if better is None or abs(change) < 10 else (" better" if better else " worse")
            moved.append(f"{label} {_fmt(now)} {unit} (was {_fmt(then)}, {change:+.0f}%{word})")
        lines.extend(f"    {text}" for text in moved)
    return lines


def _latest(
    runs: list[dict[str, Any]], key: tuple[str, int]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    for run in reversed(runs):
        for row in run.get("rows", []):
            if _key(row) == key and not row.get("skipped"):
                return run, row
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(value: float) -> str:
    return (
        f"{value:.2f}"
        if abs(value) < 10
        else f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:.1f}"
    )


def _load(run: dict[str, Any]) -> str:
    loads = run.get("load_average") or {}
    before, after = loads.get("before"), loads.get("after")
    if not before or not after:
        return "?"
    return f"{before[0]:.1f} before, {after[0]:.1f} after"
