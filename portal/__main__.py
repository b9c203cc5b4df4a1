"""The `portal` command: serve, worker, migrate, clean-text, createuser, demo, backup, restore, copy-from-sqlite."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "portal.piccolo_conf")


async def migrate() -> None:
    """Apply every app's migrations to the configured database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from portal.db import start_engine, stop_engine
    from portal.piccolo_conf import DB

    await start_engine(DB)
    try:
        response = await run_forwards(app_name="all", fake=False)
    finally:
        await stop_engine(DB)
    if not response.success:
        raise SystemExit(f"Migrations failed: {response.message}")
    await _prepare_queue_and_storage()


async def _prepare_queue_and_storage() -> None:
    """The job queue's tables (PostgreSQL) and the object store's bucket, created when missing."""
    from portal.settings import Settings, database_location

    database_url, _ = database_location()
    if database_url:
        from portal.core.queue import apply_schema

        if await apply_schema(database_url):
            print("Created the job queue's tables.")
    if os.environ.get("PORTAL_STORAGE_URL", "").strip():
        from portal.core.storage_s3 import S3Storage

        storage = S3Storage.from_settings(Settings.from_env())
        try:
            if await storage.ensure_bucket():
                print(f"Created the bucket of {storage.describe()}.")
        finally:
            await storage.close()


async def _with_db(coro_factory):
    from portal.db import bind_engine, start_engine, stop_engine
    from portal.piccolo_conf import DB

    bind_engine(DB)
    await start_engine(DB)
    try:
        return await coro_factory()
    finally:
        await stop_engine(DB)


def serve(args: argparse.Namespace) -> None:
    """Set up the first admin if needed, print the address, start the ASGI server."""
    import uvicorn

    from portal import server
    from portal.auth.services import ensure_first_admin
    from portal.settings import Settings

    settings = Settings.from_env()
    token = asyncio.run(_with_db(lambda: ensure_first_admin(settings.admin_email, settings.admin_password)))
    if token:
        link = f"{settings.base_url}/link/{token}"
        print(f"\nNo users yet. Open this one-time link to create the first admin:\n  {link}\n")
    workers = args.workers or settings.workers
    print(f"Portal: http://{settings.host}:{settings.port}/  ({workers} worker{'s' if workers > 1 else ''})",
          flush=True)
    uvicorn.run(
        "portal.app:app_from_env", factory=True, host=settings.host, port=settings.port, workers=workers,
        proxy_headers=True, forwarded_allow_ips=os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=20, log_level="info", access_log=args.access_log,
        http=server.protocol(),
    )


def worker(args: argparse.Namespace) -> None:
    """Run jobs from the PostgreSQL queue until stopped (SIGTERM or Ctrl-C)."""
    import logging

    from portal.settings import Settings

    settings = Settings.from_env()
    if settings.jobs != "queue":
        raise SystemExit("portal worker runs jobs from the PostgreSQL queue: set DATABASE_URL (and leave PORTAL_JOBS "
                         "unset or 'queue'). With SQLite the web server runs jobs itself.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    print(f"Portal worker: {args.concurrency} jobs at once", flush=True)
    asyncio.run(_run_worker(settings, args.concurrency))


async def _run_worker(settings, concurrency: int) -> None:
    import portal.app  # noqa: F401 - registers every feature's jobs
    from portal.core import jobs
    from portal.core.queue import run_worker
    from portal.core.storage import make_storage
    from portal.db import bind_engine, make_engine, start_engine, stop_engine
    from portal.messages import outbox

    outbox.configure(settings.base_url)  # links in the messages a worker's jobs queue
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    await start_engine(engine)
    storage = make_storage(settings)
    try:
        await run_worker(settings, jobs.JobContext(settings, storage), concurrency)
    finally:
        await storage.close()
        await stop_engine(engine)


def createuser(args: argparse.Namespace) -> None:
    """Create a staff user from the command line."""
    from portal.auth.services import create_user
    from portal.core.audit import Actor
    from portal.core.errors import ValidationFailed

    password = args.password or getpass.getpass("Password (at least 10 characters): ")
    form = {"name": args.name, "email": args.email or "", "phone": args.phone or "", "role": args.role,
            "password": password, "districts": args.district or []}
    try:
        user_id = asyncio.run(_with_db(lambda: create_user(form, Actor.system("createuser command"))))
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Created user {user_id} ({args.role}).")


def demo(args: argparse.Namespace) -> None:
    """Load realistic demo data."""
    from portal.demo import load_demo

    summary = asyncio.run(_with_db(lambda: load_demo(seed=args.seed)))
    print(summary)


def clean_text_command() -> None:
    """Drop control and bidi characters from text stored before the forms dropped them."""
    from portal.stored_text import clean_stored_text

    changed = asyncio.run(_with_db(clean_stored_text))
    if changed:
        print("Cleaned stored text: " + ", ".join(f"{name} {count}" for name, count in sorted(changed.items())))
    else:
        print("Stored text is clean.")


def backup_command(args: argparse.Namespace) -> None:
    """Write a backup archive."""
    from portal.backup import BackupError, backup, object_store_note
    from portal.settings import Settings

    settings = Settings.from_env()
    try:
        path = backup(settings, Path(args.output) if args.output else None)
    except BackupError as exc:
        raise SystemExit(f"Backup failed: {exc}") from None
    print(f"Backup written: {path}")
    if object_store_note(settings):
        print(object_store_note(settings))


def restore_command(args: argparse.Namespace) -> None:
    """Restore a backup archive (stop the server first)."""
    from portal.backup import BackupError, object_store_note, restore
    from portal.settings import Settings

    settings = Settings.from_env()
    try:
        print(restore(settings, Path(args.archive)))
    except BackupError as exc:
        raise SystemExit(f"Restore failed: {exc}") from None
    if object_store_note(settings):
        print(object_store_note(settings))


def copy_from_sqlite_command(args: argparse.Namespace) -> None:
    """Migrate the PostgreSQL database of this environment, then copy the SQLite portal's rows and files into it."""
    from portal.move import MoveError, copy_from_sqlite
    from portal.settings import Settings

    settings = Settings.from_env()
    if not settings.database_url:
        raise SystemExit("Set DATABASE_URL (and PORTAL_STORAGE_URL for an object store) to the new deployment's, "
                         "then run this again.")
    asyncio.run(migrate())
    print(f"Copying {Path(args.data_dir).resolve()} into PostgreSQL and {settings.storage_url or settings.data_dir}:")
    try:
        report = asyncio.run(copy_from_sqlite(Path(args.data_dir), settings))
    except MoveError as exc:
        raise SystemExit(f"Nothing was copied: {exc}") from None
    if report.left_out:
        print(f"Not copied (not the portal's tables): {', '.join(report.left_out)}")
    print(f"Done: {sum(report.rows.values())} rows in {len(report.rows)} tables, {report.files} files. "
          "The old data folder is unchanged; point the new servers at this database and storage.")
    if settings.storage_url:
        print("Backups: `portal backup` keeps the database's side; the bucket needs the object store's own backup.")


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m portal` and the `portal` script."""
    parser = argparse.ArgumentParser(prog="portal", description="Training and event portal")
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="run the web server")
    p_serve.add_argument("--workers", type=int, default=0, help="worker processes (default PORTAL_WORKERS or 1)")
    p_serve.add_argument("--access-log", action="store_true", help="log every request")
    p_worker = sub.add_parser("worker", help="run background jobs from the PostgreSQL queue (DATABASE_URL)")
    p_worker.add_argument("--concurrency", type=int, default=4, help="jobs run at once (default 4)")
    sub.add_parser("migrate", help="apply database migrations (then clean stored text, as clean-text)")
    sub.add_parser("clean-text", help="drop control and bidi characters from stored text")
    p_user = sub.add_parser("createuser", help="create a staff user")
    p_user.add_argument("--name", required=True)
    p_user.add_argument("--email")
    p_user.add_argument("--phone")
    p_user.add_argument("--role", default="admin", choices=["admin", "coordinator", "organizer", "trainer"])
    p_user.add_argument("--district", action="append", help="limit an organizer to a district (repeatable)")
    p_user.add_argument("--password", help="omit to be asked")
    p_demo = sub.add_parser("demo", help="load demo data (ten districts, 200 participants, events)")
    p_demo.add_argument("--seed", type=int, default=2026)
    p_backup = sub.add_parser("backup", help="write a backup archive (database and uploaded files)")
    p_backup.add_argument("--output", help="folder for the archive (default DATA_DIR/backups)")
    p_restore = sub.add_parser("restore", help="restore a backup archive; stop the server first")
    p_restore.add_argument("archive")
    p_move = sub.add_parser("copy-from-sqlite", help="copy a SQLite portal's data and files into this environment's "
                            "PostgreSQL database (DATABASE_URL) and storage (PORTAL_STORAGE_URL)")
    p_move.add_argument("data_dir", help="the old portal's data folder (its PORTAL_DATA_DIR); it is only read")
    args = parser.parse_args(argv)
    # Whatever the portal and its libraries create (the database, uploads, exports, backups) is private.
    from portal.core.files import restrict_umask

    restrict_umask()
    if args.command == "migrate":
        asyncio.run(migrate())
        print("Database is up to date.")
        clean_text_command()
    elif args.command == "clean-text":
        clean_text_command()
    elif args.command == "serve":
        serve(args)
    elif args.command == "worker":
        worker(args)
    elif args.command == "createuser":
        createuser(args)
    elif args.command == "demo":
        demo(args)
    elif args.command == "backup":
        backup_command(args)
    elif args.command == "restore":
        restore_command(args)
    elif args.command == "copy-from-sqlite":
        copy_from_sqlite_command(args)


if __name__ == "__main__":
    main()
