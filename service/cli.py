"""The ``ketnoi`` command: serve, migrate, seed-demo, create-user, create-token, audit-verify,
export-stats, reindex, export-hsds, import-hsds, mail-status, mail-retry."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from service import audit, export_files, progress
from service.auth import repo as auth_repo
from service.auth import users
from service.auth.api import issue_token
from service.auth.models import ANONYMOUS, Role, UserCreate
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, configured_key, data_key, signing_secret
from service.db import create_pool, database_url
from service.demo import seed
from service.directory import search_index
from service.directory.hsds import exporter, importer, terms
from service.directory.hsds.package import PackageError
from service.errors import DomainError
from service.notify import status as mail_status
from service.notify.transport import maildir_path
from service.reintegration import dashboard
from service.reintegration.rules import SUPPRESSION_K

console = Console()
T = TypeVar("T")


async def _with_pool(settings: Settings, work: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    url = await asyncio.to_thread(database_url, settings)
    pool = await create_pool(url, min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            await prepare_database(conn, PersonalDataCipher(data_key(settings)))
        return await work(pool)
    finally:
        await pool.close()


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def _run_with_progress(settings: Settings, work: Callable[[asyncpg.Pool, progress.Progress], Awaitable[T]]) -> T:
    """Runs a long command against the database with one progress bar per stage it reports."""

    async def run(pool: asyncpg.Pool) -> T:
        with _progress() as bars:
            return await work(pool, _RichProgress(bars))

    return asyncio.run(_with_pool(settings, run))


async def _seed(pool: asyncpg.Pool, cipher: PersonalDataCipher) -> None:
    if await seed.is_seeded(pool):
        console.print("The directory already has data; demo data not loaded again.")
        return
    with _progress() as progress:
        task = progress.add_task("Loading the demo data", total=None)
        listings, cases = await seed.seed_demo(
            pool, cipher, lambda done, total: progress.update(task, completed=done, total=total)
        )
    console.print(f"Loaded {listings} demo listings, {cases} fictional cases and one demo login per role.")


def _print_welcome(settings: Settings) -> None:
    console.print(f"\n[bold green]Kết Nối[/] is starting on [bold]http://{settings.host}:{settings.port}/[/]")
    console.print(f"  API documentation: http://{settings.host}:{settings.port}/schema")
    console.print(f"  Demo logins (password [bold]{seed.DEMO_PASSWORD}[/]):")
    for login in seed.DEMO_LOGINS:
        console.print(f"    {login.role.value:<12} {login.email}")
    if settings.smtp_url:
        console.print("  Mail: sent through the relay in KETNOI_SMTP_URL")
    else:
        mail = maildir_path(settings)
        console.print(f"  Mail: no SMTP relay configured, delivered to the Maildir [bold]{mail}[/]")
        console.print(f"    (open it with any mail client, e.g. [bold]mutt -f {mail}[/])", highlight=False)
    console.print("  Press Ctrl-C to stop.\n")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    url = database_url(settings)

    async def prepare(pool: asyncpg.Pool) -> None:
        if args.demo:
            await _seed(pool, PersonalDataCipher(data_key(settings)))

    asyncio.run(_with_pool(settings, prepare))
    # Workers are separate processes: hand them the resolved database (and, embedded, its key) so
    # they share the embedded server.
    os.environ["KETNOI_DATA_KEY"] = configured_key(settings)
    os.environ["KETNOI_SECRET_KEY"] = signing_secret(settings)
    os.environ["KETNOI_DATABASE_URL"] = url
    _print_welcome(settings)
    uvicorn.run(
        "service.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
        access_log=False,
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def run() -> list[str]:
        url = await asyncio.to_thread(database_url, settings)
        conn = await asyncpg.connect(url)
        try:
            return await prepare_database(conn, PersonalDataCipher(data_key(settings)))
        finally:
            await conn.close()

    applied = asyncio.run(run())
    console.print(f"Applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    cipher = PersonalDataCipher(data_key(settings))
    asyncio.run(_with_pool(settings, lambda pool: _seed(pool, cipher)))
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> str:
        organization_id = None
        if args.organization:
            async with pool.acquire() as conn:
                organization_id = await conn.fetchval(
                    "SELECT id FROM organization WHERE id::text = $1 OR lower(name) = lower($1) ORDER BY id LIMIT 1",
                    args.organization,
                )
            if organization_id is None:
                raise DomainError(f"No organization with id or name {args.organization!r}")
        data = UserCreate(
            email=args.email,
            password=args.password,
            role=Role(args.role),
            organization_id=organization_id,
            display_name=args.name or "",
        )
        user = await users.create_user(pool, ANONYMOUS, data, created_with=f"cli (operating-system user {_operator()})")
        return str(user.id)

    if len(args.password) < 10:
        console.print("[red]The password needs at least 10 characters.[/]")
        return 2
    user_id = asyncio.run(_with_pool(settings, run))
    console.print(f"Created {args.role} {args.email} ({user_id})")
    return 0


def _operator() -> str:
    """Who runs the command, as the operating system knows them (a container may not)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> str:
        async with pool.acquire() as conn:
            found = await auth_repo.credentials(conn, args.email)
        if found is None or not found[0].active:
            raise DomainError(f"No active user {args.email!r}")
        issued = await issue_token(
            pool,
            ANONYMOUS,  # no account acts: the operator at the server's shell, named in the entry
            found[0],
            timedelta(hours=args.hours),
            args.label,
            reason=args.reason,
            issued_with=f"cli (operating-system user {_operator()})",
        )
        return issued.token

    token = asyncio.run(_with_pool(settings, run))
    # The token alone on stdout, so scripts can capture it.
    print(token)
    return 0


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> audit.ChainReport:
        async with pool.acquire() as conn:
            return await audit.verify(conn)

    report = asyncio.run(_with_pool(settings, run))
    if report.intact:
        console.print(f"[green]Audit chain intact[/]: {report.entries} entries.")
        return 0
    where = f" at entry {report.first_broken_id}" if report.first_broken_id else ""
    console.print(f"[red]Audit chain broken{where}[/]: {report.problem} ({report.entries} entries checked).")
    return 1


def cmd_export_stats(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> dict[str, str]:
        async with pool.acquire() as conn:
            return await dashboard.statistics_csv(conn)

    folder = Path(args.directory)
    try:
        export_files.private_folder(folder)
    except export_files.ExportError as exc:
        console.print(f"Cannot write the export: {exc}", markup=False, highlight=False)
        return 2
    files = asyncio.run(_with_pool(settings, run))
    for name, content in files.items():
        with export_files.open_private(folder / name) as out:
            out.write(content)
    console.print(f"Wrote {', '.join(sorted(files))} to {folder} (counts under {SUPPRESSION_K} suppressed).")
    return 0


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    count = _run_with_progress(settings, lambda pool, bars: search_index.rebuild(settings, pool, bars))
    engine = "Meilisearch" if settings.meili_url else "PostgreSQL"
    console.print(f"Reindexed {count} listings into {engine}.")
    return 0


class _RichProgress:
    """``service.progress.Progress`` on a rich progress bar: one bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, description: str, total: int | None) -> None:
        if self.task is not None:  # a stage without a known size shows as done once the next begins
            done = self.progress.tasks[-1]
            if done.total is None:
                self.progress.update(self.task, total=max(done.completed, 1), completed=max(done.completed, 1))
        self.task = self.progress.add_task(description, total=total)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)


def cmd_export_hsds(settings: Settings, args: argparse.Namespace) -> int:
    try:
        report = _run_with_progress(
            settings,
            lambda pool, bars: exporter.export_package(
                pool, Path(args.directory), include_restricted=args.include_restricted, progress=bars
            ),
        )
    except export_files.ExportError as exc:
        console.print(f"Cannot write the export: {exc}", markup=False, highlight=False)
        return 2
    view = (
        "everything, incl. staff-only listings and confidential addresses" if args.include_restricted else "public view"
    )
    console.print(
        f"Wrote {report.services} listings and {report.organizations} organizations ({view})"
        f" as an HSDS {terms.HSDS_VERSION} data package in {args.directory}."
    )
    return 0


def cmd_import_hsds(settings: Settings, args: argparse.Namespace) -> int:
    try:
        report = _run_with_progress(
            settings,
            lambda pool, bars: importer.import_package(pool, Path(args.directory), dry_run=args.dry_run, progress=bars),
        )
    except PackageError as exc:
        console.print(f"[red]Cannot read the data package[/]: {exc}")
        return 2
    except asyncpg.PostgresError as exc:
        console.print(f"[red]The import failed while writing and was rolled back; nothing changed[/]: {exc}")
        return 2
    verb = "Dry run, nothing written: would have created" if report.dry_run else "Created"
    console.print(
        f"{verb} {report.services_created} and updated {report.services_updated} listings"
        f" ({report.services_unchanged} unchanged);"
        f" created {report.organizations_created} and updated {report.organizations_updated} organizations."
    )
    if report.warnings:
        console.print(f"[yellow]Left out {len(report.warnings)}[/] (their records were imported without them):")
        for warning in report.warnings:
            console.print(f"  {warning.what}: {'; '.join(warning.reasons)}", markup=False, highlight=False)
    if report.rejected:
        console.print(f"[yellow]Rejected {len(report.rejected)}[/] (nothing of these was imported):")
        for rejection in report.rejected:
            console.print(f"  {rejection.what}: {'; '.join(rejection.reasons)}", markup=False, highlight=False)
        return 1
    return 0


def cmd_mail_status(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> tuple[mail_status.Backlog, list[asyncpg.Record]]:
        async with pool.acquire() as conn:
            return await mail_status.backlog(conn), await mail_status.dead_messages(conn)

    backlog, dead = asyncio.run(_with_pool(settings, run))
    oldest = f", the oldest queued {backlog.oldest_age_s:.0f} s ago" if backlog.oldest_age_s is not None else ""
    console.print(f"Mail: {backlog.queued} queued, {backlog.dead} dead{oldest}")
    for row in dead:
        console.print(
            f"  dead #{row['id']} to {row['email']} ({row['kind']}, {row['attempts']} attempts,"
            f" queued {row['created_at']:%Y-%m-%d %H:%M}): {row['last_error']}",
            markup=False,
            highlight=False,
        )
    if dead:
        console.print("Queue them again with: ketnoi mail-retry [ID ...]")
    return 0


def cmd_mail_retry(settings: Settings, args: argparse.Namespace) -> int:
    async def run(pool: asyncpg.Pool) -> int:
        async with pool.acquire() as conn:
            return await mail_status.retry_dead(conn, args.ids or None)

    count = asyncio.run(_with_pool(settings, run))
    console.print(f"Queued {count} dead message(s) again, each with a fresh round of attempts.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ketnoi", description="Kết Nối referral and reintegration service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service (uvicorn)")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty database first")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply pending database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed-demo", help="load demo accounts and directory into an empty database").set_defaults(
        func=cmd_seed_demo
    )
    user = sub.add_parser("create-user", help="create a user account")
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=[role.value for role in Role])
    user.add_argument("--organization", help="organization id or exact name (not for admins)")
    user.add_argument("--password", required=True)
    user.add_argument("--name", help="display name")
    user.set_defaults(func=cmd_create_user)
    token = sub.add_parser("create-token", help="issue a bearer token for a user and print it")
    token.add_argument("--email", required=True)
    token.add_argument("--hours", type=int, default=168, help="lifetime in hours (default 168)")
    token.add_argument("--label", default="cli", help="what the token is for")
    token.add_argument(
        "--reason",
        default="",
        help="why it is needed (required unless the account is an admin; audited)",
    )
    token.set_defaults(func=cmd_create_token)
    sub.add_parser("audit-verify", help="check the audit log's hash chain").set_defaults(func=cmd_audit_verify)
    sub.add_parser("reindex", help="rebuild the search index from the database").set_defaults(func=cmd_reindex)
    stats = sub.add_parser("export-stats", help="write de-identified aggregates as CSV (cells under 11 suppressed)")
    stats.add_argument("directory", help="folder to write cases.csv, referrals.csv, milestones.csv into")
    stats.set_defaults(func=cmd_export_stats)
    export = sub.add_parser("export-hsds", help="write the directory as an HSDS 3.0 tabular data package")
    export.add_argument("directory", help="folder for the CSV files and datapackage.json")
    export.add_argument(
        "--include-restricted",
        action="store_true",
        help="also staff-only listings and confidential addresses (to move a directory; keep the files safe)",
    )
    export.set_defaults(func=cmd_export_hsds)
    load = sub.add_parser("import-hsds", help="create or update listings from an HSDS 3.0 tabular data package")
    load.add_argument("directory", help="folder holding the CSV files (and datapackage.json)")
    load.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    load.set_defaults(func=cmd_import_hsds)
    sub.add_parser("mail-status", help="show queued and dead outgoing mail").set_defaults(func=cmd_mail_status)
    retry = sub.add_parser("mail-retry", help="queue dead mail again (all, or the ids given)")
    retry.add_argument("ids", nargs="*", type=int, help="ids shown by mail-status (default: every dead message)")
    retry.set_defaults(func=cmd_mail_retry)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        result: int = args.func(settings, args)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/]")
        for error in exc.errors:
            console.print(f"  {error.field}: {error.message}")
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
