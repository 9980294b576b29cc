"""``python -m bench`` (``make bench``): generate or reuse the data, load the service run the
production way, measure the floors in the same run, time the bulk commands, and report absolute
figures, ratios and targets (table on stdout, ``bench/results/latest.json``).

    python -m bench            # 100,000 listings, 50,000 cases; ~15 minutes on 2 cores (first run: +6 for data)
    python -m bench --quick    # 1 % of the data, 3-second runs: a smoke test of the harness
    python -m bench --mail     # only the mail worker draining 10,000 messages (~1 minute)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import uvloop

from bench import cpu, dataset, db_floor, load, mail_drain, naive, queries, report, scenarios, timed_commands

RESULTS = Path(__file__).parent / "results"
HIGH = 32  # connections for throughput
DASHBOARD = 8  # a handful of coordinators at once: the dashboard is a heavy read
TABLES = ("service", "search_document", "survivor", "consent", "plan", "milestone", "referral", "referral_event",
          "follow_up", "app_user", "audit_log")  # fmt: skip


@dataclass(frozen=True)
class Options:
    scale: float
    seconds: float
    port: int
    data_dir: Path
    bulk: bool
    workers: int
    mail_only: bool = False


def machine() -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))  # fmt: skip
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split(" [")[0].strip(),
        "uvloop": importlib.util.find_spec("uvloop") is not None,
        "httptools": importlib.util.find_spec("httptools") is not None,
        "load_average_at_start": os.getloadavg(),
    }


def write_lines(folder: Path, name: str, lines: list[str]) -> str:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def http_scenarios(
    options: Options, url: str, keys: dataset.Keys, fx: dataset.Fixtures, folder: Path
) -> dict[str, Any]:
    """Every wrk scenario, the bare hello first, then the service; returns measurements and memory."""
    seconds, port = options.seconds, options.port
    search_paths = write_lines(folder, "search.txt", [queries.path(q) for q in queries.QUERIES])
    html_paths = write_lines(folder, "html.txt", [queries.path(q, base="/") for q in queries.QUERIES])
    understood_paths = write_lines(folder, "understood.txt", [queries.path(q) for q in queries.UNDERSTOOD])
    detail_paths = write_lines(folder, "detail.txt", [f"/api/v1/services/{i}" for i in fx.listings])
    health = write_lines(folder, "health.txt", ["/healthz"])
    log = options.data_dir / "logs" / "servers.log"
    measured: dict[str, load.Measured] = {}
    hello_port = port + 1
    with load.serving(load.hello_command(hello_port, options.workers), {}, hello_port, "/healthz", log) as hello:
        measured["hello"] = load.wrk("bare Litestar hello", hello.base_url, "paths.lua", [health],
                                     concurrency=HIGH, seconds=seconds,
                                     cpu=cpu.Sides({"workers": cpu.Meter(hello.workers)}))  # fmt: skip
    env = {
        "KETNOI_DATABASE_URL": url,
        "KETNOI_DATA_KEY": keys.data_key,
        "KETNOI_SECRET_KEY": keys.secret_key,
        "KETNOI_WORKERS": str(options.workers),
        "KETNOI_HOST": "127.0.0.1",
        "KETNOI_PORT": str(port),
        "KETNOI_LOG_LEVEL": "warning",
        # the mail the answer scenario's notifications cause goes to this Maildir, not the checkout's var/
        "KETNOI_DATA_DIR": str(options.data_dir / "service"),
    }
    coordinator = {"Authorization": f"Bearer {fx.coordinator_token}"}
    partner = {"Authorization": f"Bearer {fx.partner_token}"}
    admin = {"Authorization": f"Bearer {fx.admin_token}"}
    referrals = write_lines(folder, "referrals.txt", [str(i) for i in fx.referrals])
    shelters = write_lines(folder, "shelters.txt", [str(i) for i in fx.shelters])
    sent = uvloop.run(scenarios.sent_referrals(url, fx, round(scenarios.ANSWERS_PER_S * seconds)))
    answers = write_lines(folder, "answers.txt", [str(i) for i in sent])
    with load.serving(load.service_command(), env, port, "/readyz", log) as service:
        base = service.base_url
        runs = [
            ("trivial", "GET /healthz (every production middleware)", "paths.lua", [health], HIGH, None),
            ("search_c1", "search JSON, mixed set", "paths.lua", [search_paths], 1, None),
            ("search", "search JSON, mixed set", "paths.lua", [search_paths], HIGH, None),
            ("search_understood_c1", "search JSON, places / slips / abbreviations", "paths.lua",
             [understood_paths], 1, None),
            ("search_html", "search page HTML, same set", "paths.lua", [html_paths], HIGH, None),
            ("detail", "service detail JSON", "paths.lua", [detail_paths], HIGH, None),
            ("dashboard_c1", "dashboard (coordinator, all cases)", "paths.lua", [write_lines(
                folder, "dashboard.txt", ["/api/v1/dashboard"])], 1, coordinator),
            ("dashboard", "dashboard (coordinator, all cases)", "paths.lua", [str(folder / "dashboard.txt")],
             DASHBOARD, coordinator),
            ("transitions", "referral hold / resume (partner)", "transitions.lua", [referrals], HIGH, partner),
            ("answers", "referral accept, referrer notified (partner)", "answers.lua", [answers], HIGH, partner),
            ("capacity", "listing update: beds free (PUT)", "capacity.lua", [shelters], HIGH, admin),
        ]  # fmt: skip
        for key, name, script, args, connections, headers in runs:
            uvloop.run(db_floor.quiesce(url))
            if key == "transitions":
                uvloop.run(scenarios.settle_referrals(url, fx))  # every cycled referral in progress again
            # no warm-up for the write cycles: wrk's counter restarts with each run, the data does not
            sides = cpu.Sides({"workers": cpu.Meter(service.workers), "postgres": postgres(options)})
            measured[key] = load.wrk(name, base, script, args, concurrency=connections, seconds=seconds,
                                     headers=headers, warmup=0 if key in ("transitions", "answers") else 2.0,
                                     cpu=sides)  # fmt: skip
        memory = {str(pid): round(load.peak_rss_mb(pid), 1) for pid in service.workers()}
    uvloop.run(scenarios.remove_referrals(url, sent))
    return {"measured": measured, "memory_mb": memory}


def postgres(options: Options) -> cpu.Meter:
    return cpu.Meter(lambda: cpu.postgres_pids(options.data_dir / "pg"))


async def floors(options: Options, url: str, fx: dataset.Fixtures) -> dict[str, db_floor.Measured]:
    seconds = options.seconds
    statements = queries.statements()
    plain = [db_floor.without_facets(sql) for sql, _ in statements]
    naive_statements = [naive.naive_sql(queries.search_query(q)) for q in queries.QUERIES]

    async def measure(
        name: str, url: str, work: db_floor.Work, *, concurrency: int, seconds: float
    ) -> db_floor.Measured:
        sides = cpu.Sides({"client": cpu.Meter(lambda: [os.getpid()]), "postgres": postgres(options)})
        return await db_floor.measure(name, url, work, concurrency=concurrency, seconds=seconds, cpu=sides)

    results = {
        "search_c1": await measure("search SQL", url, db_floor.statement_work(statements), concurrency=1,
                                   seconds=seconds),
        "search": await measure("search SQL", url, db_floor.statement_work(statements), concurrency=HIGH,
                                seconds=seconds),
        "naive": await measure("naive search SQL", url, db_floor.statement_work(naive_statements), concurrency=HIGH,
                               seconds=seconds),
    }  # fmt: skip
    if all(plain):
        without = [(sql, args) for sql, (_, args) in zip(plain, statements, strict=True) if sql]
        results["search_nofacets"] = await measure(
            "search SQL without facets", url, db_floor.statement_work(without), concurrency=HIGH, seconds=seconds
        )
    results["detail"] = await measure("get_service", url, scenarios.detail(fx), concurrency=HIGH, seconds=seconds)
    results["dashboard_c1"] = await measure("dashboard()", url, scenarios.dashboard_of(fx), concurrency=1,
                                            seconds=seconds)  # fmt: skip
    results["dashboard"] = await measure("dashboard()", url, scenarios.dashboard_of(fx), concurrency=DASHBOARD,
                                         seconds=seconds)  # fmt: skip
    await scenarios.settle_referrals(url, fx)
    results["transitions"] = await measure("referrals.transition()", url, scenarios.transitions(fx),
                                           concurrency=HIGH, seconds=seconds)  # fmt: skip
    sent = await scenarios.sent_referrals(url, fx, round(scenarios.ANSWERS_PER_S * (seconds + 2)))  # + warm-up
    results["answers"] = await measure("referrals.transition(accept)", url, scenarios.answers(fx, sent),
                                       concurrency=HIGH, seconds=seconds)  # fmt: skip
    await scenarios.remove_referrals(url, sent)
    await scenarios.settle_referrals(url, fx)
    results["capacity"] = await measure("listings.set_capacity()", url, scenarios.capacity(fx), concurrency=HIGH,
                                        seconds=seconds)  # fmt: skip
    return results


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {table: int(await conn.fetchval(f"SELECT count(*) FROM {table}")) for table in TABLES}
    finally:
        await conn.close()


async def _bulk(options: Options, server: str, url: str, keys: dataset.Keys) -> list[timed_commands.Timed]:
    env = {**os.environ, "KETNOI_DATA_KEY": keys.data_key, "KETNOI_SECRET_KEY": keys.secret_key,
           "KETNOI_LOG_LEVEL": "warning"}  # fmt: skip
    log = options.data_dir / "logs" / "bulk.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    return [
        *await timed_commands.hsds(url, server, env, log, lambda: cpu.postgres_total_cpu_s(options.data_dir / "pg")),
        await timed_commands.reindex(url, env, log),
        await timed_commands.seed_demo(server, env, log),
    ]


def parse(argv: list[str] | None = None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 %% of the data, 3-second runs (smoke test)")
    parser.add_argument("--scale", type=float, help="data scale (1 = 100,000 listings and 50,000 cases)")
    parser.add_argument("--seconds", type=float, help="length of each measured run (default 10; quick 3)")
    parser.add_argument("--port", type=int, default=8100, help="service port; the bare hello uses the next one")
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"), help="embedded PostgreSQL and logs")
    parser.add_argument("--no-bulk", action="store_true", help="skip reindex, seed-demo and HSDS timings")
    parser.add_argument("--mail", action="store_true", help="only the mail worker draining 10,000 messages")
    args = parser.parse_args(argv)
    options = Options(
        scale=args.scale or (0.01 if args.quick else 1.0),
        seconds=args.seconds or (3.0 if args.quick else 10.0),
        port=args.port,
        data_dir=args.data_dir.resolve(),
        bulk=not args.no_bulk,
        workers=os.cpu_count() or 1,
        mail_only=args.mail,
    )
    return options, args.quick


def mail_target(drained: mail_drain.Drained) -> report.Target:
    cpu_ms = ", ".join(f"{side} {ms:.2f} ms" for side, ms in drained.cpu_ms.items())
    return report.Target(f"mail worker drains {drained.messages:,} queued messages ≥ 500/s", drained.per_s, ">=",
                         500, "/s", note=f"CPU per message: {cpu_ms}")  # fmt: skip


def mail_only(options: Options) -> int:
    """``--mail``: the mail worker's drain alone, written to ``bench/results/mail.json``."""
    about = machine()
    keys = dataset.Keys.of(options.data_dir)
    server = dataset.server_url(options.data_dir)
    drained = uvloop.run(mail_drain.measure(server, keys.cipher(), postgres(options)))
    uvloop.run(mail_drain.drop(server))
    target = mail_target(drained)
    print(f"{target.name}: {target.value:,.0f} /s ({target.status}); {target.note}")
    RESULTS.mkdir(exist_ok=True)
    about["load_average_at_end"] = os.getloadavg()
    result = {"machine": about, "mail": {**asdict(drained), "per_s": drained.per_s}, "status": target.status}
    (RESULTS / "mail.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    options, quick = parse(argv)
    if options.mail_only:
        return mail_only(options)
    if shutil.which("wrk") is None:
        print("wrk is not installed: run `make bench` (it installs Debian's wrk) or apt-get install wrk")
        return 2
    started_at = datetime.now(UTC)
    began = time.perf_counter()
    about = machine()
    keys = dataset.Keys.of(options.data_dir)
    server = dataset.server_url(options.data_dir)  # held until this process exits
    url, generated = uvloop.run(dataset.ensure(server, options.scale, keys))
    uvloop.run(dataset.prepare(url))
    fx = uvloop.run(dataset.fixtures(url, keys.cipher()))
    uvloop.run(scenarios.settle_referrals(url, fx))
    with tempfile.TemporaryDirectory(prefix="kn-bench-") as folder:
        served = http_scenarios(options, url, keys, fx, Path(folder))
    http: dict[str, load.Measured] = served["measured"]
    memory: dict[str, float] = served["memory_mb"]
    floor = uvloop.run(floors(options, url, fx))
    timed = uvloop.run(_bulk(options, server, url, keys)) if options.bulk else []
    drained = uvloop.run(mail_drain.measure(server, keys.cipher(), postgres(options)))
    uvloop.run(mail_drain.drop(server))
    counts = uvloop.run(_counts(url))
    table_rows = report.rows(http, floor)
    targets = [*report.targets_of(http, floor, timed, memory), mail_target(drained)]
    figures = report.Figures(table_rows, floor, timed, memory, targets)
    report.print_report(figures)
    about["load_average_at_end"] = os.getloadavg()
    result = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "minutes": round((time.perf_counter() - began) / 60, 1),
        "command": "python -m bench" + (" --quick" if quick else "") + " " + " ".join(sys.argv[1:]),
        "machine": about,
        "options": {**asdict(options), "data_dir": str(options.data_dir)},
        "rows": counts,
        "generation": generated,
        "http": {key: asdict(value) for key, value in http.items()},
        "database_floor": {key: asdict(value) for key, value in floor.items()},
        "bulk": [{**asdict(t), "rows_per_s": t.rows_per_s} for t in timed],
        "peak_rss_mb": memory,
        "mail": {**asdict(drained), "per_s": drained.per_s},
        "ratios": [asdict(row) for row in table_rows],
        "targets": [{**asdict(t), "status": t.status} for t in targets],
    }
    RESULTS.mkdir(exist_ok=True)
    name = "quick" if quick else "latest"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(report.markdown(figures) + "\n")
    print(f"Written to {RESULTS / (name + '.json')} in {result['minutes']} min.")
    return 0
