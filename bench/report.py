"""The benchmark's output: one table per tier on the terminal, and
bench/results/<tier>.json with every figure and the machine they were
measured on."""

from __future__ import annotations

import json
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine(chromium: str | None = None) -> dict:
    import duckdb

    cpu = "unknown"
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else platform.processor() or cpu
    except OSError:
        pass
    memory_gb = None
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory_gb = round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "chromium": chromium,
    }


def write(figures: dict, name: str, folder: Path = RESULTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    return path


def _num(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def table(figures: dict) -> str:
    """The tier's figures as the plain-text table `make bench` prints."""
    lines = [f"tier {figures['tier']}: {figures['customers']:,} customers × {figures['weeks']} weeks"]
    imp = figures.get("import")
    if imp:
        lines.append(f"  import                {imp['import_s']:8.1f} s    peak memory {imp['peak_rss_mb']:,.0f} MB")
    ds = figures.get("datasets")
    if ds:
        lines.append(f"  {'dataset':26} {'product ms':>10} {'hand ms':>9} {'ratio':>6} {'rows':>9}")
        for row in ds:
            lines.append(
                f"  {row['dataset']:26} {_num(row.get('product_ms'), 1):>10} {_num(row.get('hand_ms'), 1):>9}"
                f" {_num(row.get('ratio'), 2):>6} {_num(row.get('rows')):>9}"
            )
    pages = figures.get("pages")
    if pages:
        lines.append(
            f"  {'page (median of ' + str(pages['runs']) + ')':22} {'warm ms':>8} {'first ms':>9} {'callbacks':>9}"
            f" {'warm KB':>8} {'first KB':>9} {'304':>4} {'again':>5} {'server ms':>9}"
        )
        for name, warm in pages["warm"].items():
            first = pages["first_view"].get(name, {})
            lines.append(
                f"  {name:22} {_num(warm['settled_ms']):>8} {_num(first.get('settled_ms')):>9}"
                f" {warm['callbacks']:>9} {warm['bytes'] / 1024:8.0f}"
                f" {_num(first['bytes'] / 1024 if first else None):>9}"
                f" {warm['revalidated_304']:>4} {warm['downloaded_static']:>5} {_num(warm['server_ms']):>9}"
            )
        lines.append("  (settled: " + pages["settled"] + "; server ms: Server-Timing summed over a warm view)")
    load = figures.get("load")
    if load:
        lines.append(
            f"  {load['users']} users × {load['seconds']:.0f} s ({load['server']}): {load['req_per_s']} req/s,"
            f" p50 {_num(load['p50_ms'])} ms, p95 {_num(load['p95_ms'])} ms, {load['errors']} errors,"
            f" worker RSS {load['worker_rss_mb_before']} → {load['worker_rss_mb_after']} MB"
        )
        for name, v in load["page_views"].items():
            lines.append(
                f"    page view {name:20} p50 {_num(v['p50_ms']):>6} ms  p95 {_num(v['p95_ms']):>6} ms"
                f"  ({v['views']} views)"
            )
    exports = figures.get("exports")
    if exports:
        lines.append("  exports: " + json.dumps(_export_summary(exports)))
    for part, why in figures.get("skipped", {}).items():
        lines.append(f"  {part}: skipped ({why})")
    return "\n".join(lines)


def _export_summary(exports: dict) -> dict:
    files = exports.get("files", {})
    out = {
        fmt: {state: files[fmt][state].get("total_ms") for state in ("cold", "cached") if state in files[fmt]}
        for fmt in files
        if isinstance(files[fmt], dict) and "cold" in files[fmt]
    }
    kpis = exports.get("kpis", {})
    if "ratio_p95" in kpis:
        out["kpis_ratio_p95_under_2_xlsx"] = kpis["ratio_p95"]
    return out
