"""Goals, ratios and the three renderings of a run: a rich table, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

SCALE_LIMIT = 2.0  # no request slower at the large scale than at the small one by more than this
TAIL_LIMIT = 3.0  # no list's p99 more than this many times its p50


def judge(rows: list[dict[str, Any]]) -> None:
    """Fill each row's ratio to its scale's floor and whether its goal is met."""
    floors = {row["animals"]: row["rps"] for row in rows if row["kind"] == "floor" and row.get("rps")}
    for row in rows:
        floor = floors.get(row["animals"])
        row["ratio_floor"] = row["rps"] / floor if floor and row.get("rps") is not None else None
        row["met"] = _met(row)


def _met(row: dict[str, Any]) -> bool | None:
    if row.get("error"):
        return False
    kind = row["kind"]
    tail_ok = row["p99_ms"] <= TAIL_LIMIT * row["p50_ms"]
    if row["goal"].startswith("p99 ≤"):
        return tail_ok and row["errors"] == 0
    if kind == "get":
        ok = (row["ratio_floor"] or 0) >= 0.20 and row["p99_ms"] < 25
    elif kind == "list-big":
        ok = row["rps"] >= 400 and tail_ok
    elif kind == "post":
        ok = row["rps"] >= 1000
    else:
        return None
    return ok and row["errors"] == 0


def scale_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each scenario measured at both scales: how much slower it is with more animals."""
    scales = sorted({row["animals"] for row in rows})
    if len(scales) < 2:
        return []
    small, large = scales[0], scales[-1]
    by = {(row["scenario"], row["animals"]): row for row in rows if not row.get("error")}
    out = []
    for row in rows:
        if row["animals"] != small or (row["scenario"], large) not in by or row.get("error"):
            continue
        big = by[(row["scenario"], large)]
        p50 = big["p50_ms"] / row["p50_ms"] if row["p50_ms"] else None
        out.append({"scenario": row["scenario"], "small": small, "large": large,
                    "p50_small_ms": row["p50_ms"], "p50_large_ms": big["p50_ms"], "p50_ratio": p50,
                    "p99_ratio": big["p99_ms"] / row["p99_ms"] if row["p99_ms"] else None,
                    "rps_ratio": row["rps"] / big["rps"] if big["rps"] else None,
                    "met": p50 is not None and p50 <= SCALE_LIMIT})
    return out


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f} %" if value >= 0.01 else f"{value * 100:.2f} %"


def _rps(value: float | None) -> str:
    return _num(value, 0 if value is None or value >= 100 else 1)


def _met_text(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def _cells(row: dict[str, Any]) -> list[str]:
    if row.get("error"):
        return [row["scenario"], f"{row['animals']:,}", str(row["connections"]), "—", "—", "—", "—", "—",
                "—", row["goal"], "NO"]
    tail = row["p99_ms"] / row["p50_ms"] if row["p50_ms"] else None
    return [row["scenario"], f"{row['animals']:,}", str(row["connections"]), _rps(row["rps"]),
            _num(row["p50_ms"], 2), _num(row["p99_ms"], 2), _num(tail, 2), _pct(row["ratio_floor"]),
            str(row["errors"]), row["goal"], _met_text(row["met"])]


HEAD = ["scenario", "animals", "conns", "req/s", "p50 ms", "p99 ms", "p99÷p50", "vs floor", "errors", "goal",
        "met?"]
SCALE_HEAD = ["scenario", "p50 ms small", "p50 ms large", "p50 ×", "p99 ×", "req/s ÷", "goal", "met?"]


def _scale_cells(row: dict[str, Any]) -> list[str]:
    return [row["scenario"], _num(row["p50_small_ms"], 2), _num(row["p50_large_ms"], 2), _num(row["p50_ratio"], 2),
            _num(row["p99_ratio"], 2), _num(row["rps_ratio"], 2), f"p50 × ≤ {SCALE_LIMIT:g}", _met_text(row["met"])]


def print_tables(console: Console, rows: list[dict[str, Any]], scale: list[dict[str, Any]],
                 database: str = "") -> None:
    table = Table(title="openvet benchmark" + (f" on {database}" if database else ""), show_lines=False)
    for name in HEAD:
        table.add_column(name, justify="left" if name in ("scenario", "goal") else "right")
    for row in rows:
        table.add_row(*_cells(row), style="red" if row.get("met") is False else None)
    console.print(table)
    if scale:
        title = f"{scale[0]['large']:,} animals against {scale[0]['small']:,}"
        table = Table(title=title)
        for name in SCALE_HEAD:
            table.add_column(name, justify="left" if name in ("scenario", "goal") else "right")
        for row in scale:
            table.add_row(*_scale_cells(row), style="red" if row["met"] is False else None)
        console.print(table)
    for row in rows:
        if row.get("error"):
            console.print(f"[red]{row['scenario']} ({row['animals']:,}):[/] {row['error']}")


def markdown(run: dict[str, Any]) -> str:
    lines = [f"# openvet benchmark, {run['when']}", ""]
    for key in ("machine", "commit", "database", "migration_head", "generator", "options"):
        if key in run:  # a run written before the database was named ran on SQLite
            lines.append(f"- {key.replace('_', ' ')}: {run[key]}")
    lines += ["", "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in run["rows"]]
    if run["scale"]:
        lines += ["", f"{run['scale'][0]['large']:,} animals against {run['scale'][0]['small']:,} "
                  "(× = large ÷ small latency; req/s ÷ = small ÷ large throughput):", "",
                  "| " + " | ".join(SCALE_HEAD) + " |", "|" + "---|" * len(SCALE_HEAD)]
        lines += ["| " + " | ".join(_scale_cells(row)) + " |" for row in run["scale"]]
    notes = [f"- {row['scenario']} ({row['animals']:,}): {row['error']}" for row in run["rows"] if row.get("error")]
    notes += [f"- {text}" for text in run.get("notes", [])]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"


def write(run: dict[str, Any], folder: Path, stamp: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    as_json, as_md = folder / f"{stamp}.json", folder / f"{stamp}.md"
    as_json.write_text(json.dumps(run, indent=2) + "\n")
    as_md.write_text(markdown(run))
    return as_json, as_md
