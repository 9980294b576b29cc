"""Turning one run's measurements into rows, ratios and targets; printed as a table and as Markdown."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bench.db_floor import Measured as Floor
from bench.load import Measured as Load
from bench.timed_commands import COPY_FLOOR, Timed

# HTTP scenario → the database floor it is compared with (the HTML page runs the same search SQL)
FLOOR_OF = {
    "search_c1": "search_c1",
    "search": "search",
    "search_html": "search",
    "detail": "detail",
    "dashboard_c1": "dashboard_c1",
    "dashboard": "dashboard",
    "transitions": "transitions",
    "answers": "answers",
    "capacity": "capacity",
}


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    concurrency: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_2xx: int
    errors: int
    vs_trivial: float | None  # rps / trivial endpoint rps
    floor_rps: float | None
    floor_p50_ms: float | None
    p50_vs_floor: float | None  # p50 / database-only p50
    app_cpu_ms: float | None  # CPU per request: the service's workers
    db_cpu_ms: float | None  # CPU per request: PostgreSQL


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    op: str  # ">=" or "<="
    limit: float
    unit: str = "×"
    note: str = ""

    @property
    def status(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "n/a"
        met = self.value >= self.limit if self.op == ">=" else self.value <= self.limit
        return "pass" if met else "MISS"


def rows(http: Mapping[str, Load], floors: Mapping[str, Floor]) -> list[Row]:
    trivial = http["trivial"].rps
    result = []
    for key, run in http.items():
        floor = floors.get(FLOOR_OF.get(key, ""))
        result.append(
            Row(
                key=key,
                name=run.name,
                concurrency=run.concurrency,
                rps=run.rps,
                p50_ms=run.p50_ms,
                p95_ms=run.p95_ms,
                p99_ms=run.p99_ms,
                non_2xx=run.non_2xx,
                errors=run.errors,
                vs_trivial=run.rps / trivial if key != "hello" else None,
                floor_rps=floor.rps if floor else None,
                floor_p50_ms=floor.p50_ms if floor else None,
                p50_vs_floor=run.p50_ms / floor.p50_ms if floor and floor.p50_ms and run.requests else None,
                app_cpu_ms=run.cpu_ms.get("workers"),
                db_cpu_ms=run.cpu_ms.get("postgres"),
            )
        )
    return result


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _latency(run: Load, field: str) -> float:
    """A latency for a target: infinite (a miss) when no request finished within the run."""
    value: float = getattr(run, field)
    return value if run.requests else math.inf


def targets_of(
    http: Mapping[str, Load], floors: Mapping[str, Floor], timed: Sequence[Timed], memory_mb: Mapping[str, float]
) -> list[Target]:
    def rps(source: Mapping[str, Load] | Mapping[str, Floor], key: str) -> float | None:
        found = source.get(key)
        return found.rps if found else None

    imported = next((t for t in timed if t.name.startswith("HSDS import")), None)
    return [
        Target("search rps ≥ 0.8 × same SQL through asyncpg (c=32)", _ratio(rps(http, "search"), rps(floors, "search")),
               ">=", 0.8),
        Target("search p95 ≤ 50 ms at c=1 (mixed set)", _latency(http["search_c1"], "p95_ms"), "<=", 50, "ms"),
        Target("search p95 ≤ 50 ms at c=1 (places, slips, abbreviations)",
               _latency(http["search_understood_c1"], "p95_ms"), "<=", 50, "ms"),
        Target("search rps (c=32) ≥ 2 × naive query (c=32)", _ratio(rps(http, "search"), rps(floors, "naive")),
               ">=", 2),
        Target("search with facets ≥ 0.5 × without", _ratio(rps(floors, "search"), rps(floors, "search_nofacets")),
               ">=", 0.5, note="SQL level: the API always computes facets"),
        Target("/healthz (all middleware) ≥ 0.6 × bare Litestar hello", _ratio(rps(http, "trivial"),
               rps(http, "hello")), ">=", 0.6),
        Target("HTML search page ≥ 0.2 × trivial JSON endpoint", _ratio(rps(http, "search_html"),
               rps(http, "trivial")), ">=", 0.2),
        Target("referral accept with its notifications ≥ 0.8 × hold / resume (c=32)",
               _ratio(rps(http, "answers"), rps(http, "transitions")), ">=", 0.8,
               note=_answers_note(http.get("answers"), floors)),
        Target("dashboard p50 ≤ 100 ms (c=1)", _latency(http["dashboard_c1"], "p50_ms"), "<=", 100, "ms"),
        Target("HSDS import ≥ 10,000 services/s", imported.rows_per_s if imported else None, ">=", 10_000, "/s",
               note=_import_note(imported, next((t for t in timed if t.name == COPY_FLOOR), None))),
        Target("peak RSS ≤ 250 MB per worker", max(memory_mb.values()) if memory_mb else None, "<=", 250, "MB"),
    ]  # fmt: skip


def _answers_note(answers: Load | None, floors: Mapping[str, Floor]) -> str:
    """The same comparison at the database floor, and any answer that found its referral answered."""
    answered, moved = floors.get("answers"), floors.get("transitions")
    floor = _ratio(answered.rps, moved.rps) if answered and moved else None
    refused = f"; {answers.non_2xx + answers.errors} not 2xx" if answers and answers.non_2xx + answers.errors else ""
    return f"database floor: {_f(floor, 2)} ×{refused}; hold / resume notifies nobody"


def _import_note(imported: Timed | None, floor: Timed | None) -> str:
    if not (imported and imported.seconds):
        return "import-hsds not available"
    if floor and floor.rows_per_s:
        return f"COPY of the files alone: {floor.rows_per_s:,.0f} /s"
    return ""


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


ROW_HEADER = ["scenario", "c", "rps", "p50 ms", "p95 ms", "p99 ms", "non-2xx", "rps / trivial", "db rps", "db p50 ms",
              "p50 / db p50", "app CPU ms/req", "pg CPU ms/req"]  # fmt: skip


def _rps(value: float) -> str:
    return _f(value, 0 if value >= 10 else 2)


def _row_cells(row: Row) -> list[str]:
    return [row.name, str(row.concurrency), _rps(row.rps), _f(row.p50_ms), _f(row.p95_ms), _f(row.p99_ms),
            str(row.non_2xx + row.errors), _f(row.vs_trivial, 3), _f(row.floor_rps, 0), _f(row.floor_p50_ms),
            _f(row.p50_vs_floor, 2), _f(row.app_cpu_ms, 2), _f(row.db_cpu_ms, 2)]  # fmt: skip


def _floor_cells(key: str, floor: Floor) -> list[str]:
    return [f"{floor.name} [{key}]", str(floor.concurrency), _rps(floor.rps), _f(floor.p50_ms), _f(floor.p95_ms),
            _f(floor.p99_ms), str(floor.errors), _f(floor.cpu_ms.get("client"), 2),
            _f(floor.cpu_ms.get("postgres"), 2)]  # fmt: skip


def _target_cells(target: Target) -> list[str]:
    digits = 0 if target.unit == "/s" else 2 if target.unit == "×" else 1
    return [target.name, f"{_f(target.value, digits)} {target.unit}", f"{target.op} {target.limit:,g}", target.status,
            target.note]  # fmt: skip


def _bulk_cells(timed: Timed) -> list[str]:
    seconds = "not available" if timed.seconds is None else f"{timed.seconds:.1f} s"
    return [timed.name, seconds, f"{timed.rows:,}" if timed.rows else "–", _f(timed.rows_per_s, 0), timed.note]


FLOOR_HEADER = ["database floor (asyncpg, no HTTP)", "c", "rps", "p50 ms", "p95 ms", "p99 ms", "errors",
                "client CPU ms/req", "pg CPU ms/req"]  # fmt: skip
TARGET_HEADER = ["target", "measured", "limit", "status", "note"]
BULK_HEADER = ["bulk", "time", "rows", "rows/s", "note"]


@dataclass(frozen=True)
class Figures:
    """What one run's report shows, on the console and in Markdown alike."""

    table_rows: list[Row]
    floors: Mapping[str, Floor]
    timed: Sequence[Timed]
    memory_mb: Mapping[str, float]
    targets: list[Target]

    def tables(self) -> dict[str, tuple[list[str], list[list[str]]]]:
        """The report's four tables by title: header and rows of cells."""
        return {
            "HTTP (wrk, loopback)": (ROW_HEADER, [_row_cells(r) for r in self.table_rows]),
            "Database floor": (FLOOR_HEADER, [_floor_cells(k, f) for k, f in self.floors.items()]),
            "Bulk": (BULK_HEADER, [_bulk_cells(t) for t in self.timed]),
            "Targets": (TARGET_HEADER, [_target_cells(t) for t in self.targets]),
        }


def print_report(figures: Figures) -> None:
    console = Console(width=200)
    for title, (header, lines) in figures.tables().items():
        table = Table(title=title)
        for column in header:
            table.add_column(column)
        for line in lines:
            table.add_row(*line)
        console.print(table)
    memory = ", ".join(f"pid {p}: {mb:.0f} MB" for p, mb in figures.memory_mb.items())
    console.print("Peak RSS per worker (VmHWM): " + memory)


def _md(header: list[str], lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines]
    return "\n".join(out)


def markdown(figures: Figures) -> str:
    memory = ", ".join(f"{mb:.0f} MB" for mb in figures.memory_mb.values())
    http, floor, bulk, goals = (_md(*table) for table in figures.tables().values())
    return "\n\n".join([http, floor, bulk, f"Peak RSS per worker (VmHWM after the load): {memory}.", goals])
