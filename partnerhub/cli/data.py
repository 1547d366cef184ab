"""`flask --app app data ...`: generate demo data, import, show and verify
the snapshots, migrate, back up and restore the app-state store."""

from __future__ import annotations

import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import NoReturn

import click
import duckdb
from flask.cli import AppGroup

from partnerhub.data.runtime import services
from partnerhub.data.snapshot_integrity import duckdb_reason
from partnerhub.data.snapshots import Health

log = logging.getLogger(__name__)

data_cli = AppGroup("data", help="Demo data, imports and snapshots.")


def fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


@data_cli.command("generate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--customers", default=500, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--weeks", default=26, show_default=True, type=click.IntRange(1, 520))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD, a Sunday; default: the latest Sunday")
@click.option("--format", "fmt", default="parquet", show_default=True, type=click.Choice(["parquet", "csv"]))
def generate_cmd(directory: Path, customers: int, weeks: int, seed: int, as_of: str | None, fmt: str):
    """Writes demo data in the import format into DIRECTORY."""
    from partnerhub.data.generator import generate

    when = None
    if as_of:
        try:
            when = date.fromisoformat(as_of)
        except ValueError:
            fail([f"--as-of {as_of!r}: not a date YYYY-MM-DD"])
        if when.weekday() != 6:
            fail([f"--as-of {as_of}: not a Sunday"])
    started = time.monotonic()
    counts = generate(directory, customers=customers, weeks=weeks, seed=seed, as_of=when, fmt=fmt)
    for table, n in counts.items():
        click.echo(f"{table:24} {n:>12,} rows")
    click.echo(f"written to {directory} in {time.monotonic() - started:.1f} s")


@data_cli.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
def import_cmd(directory: Path):
    """Validates DIRECTORY and, when every rule holds, makes it the current snapshot."""
    from partnerhub.data.importer import import_folder

    svc = services()
    started = time.monotonic()

    def progress(table: str, phase: str) -> None:
        click.echo(f"  {phase:9} {table}  ({time.monotonic() - started:5.1f} s)", err=True)

    result = import_folder(directory, svc.snapshots, svc.state, keep=svc.settings.keep_snapshots, progress=progress)
    for warning in result.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.ok:
        lines = result.report.lines()
        lines.append(f"import refused: {result.report.total} problems; nothing was changed")
        fail(lines)
    for table, n in result.rows.items():
        click.echo(f"{table:24} {n:>12,} rows")
    for what, n in result.directory_changes.items():
        click.echo(f"{what.replace('_', ' '):24} {n:>12,}")
    click.echo(f"snapshot {result.snapshot_id} is current: as_of {result.as_of} ({time.monotonic() - started:.1f} s)")
    if result.snapshot_id:
        _run_alerts(result.snapshot_id)


def _run_alerts(snapshot_id: str) -> None:
    """The alert rules and digests of the new snapshot, once, in this
    process (ARCHITECTURE.md "The weekly cycle"). The import has succeeded
    whatever happens here: a message not delivered stays pending, and an
    evaluation that fails is said on stderr and done by `alerts run`."""
    from partnerhub.alerts.evaluate import run

    svc = services()
    try:
        snapshot = svc.snapshots.kept(snapshot_id)
        summary = run(svc, snapshot) if snapshot is not None else None
    except Exception as err:  # the data is in; alerts can be run again
        log.exception("alert evaluation after the import failed")
        click.echo(f"alerts: not evaluated ({type(err).__name__}: {err}); run `flask --app app alerts run`", err=True)
        return
    if summary is not None:
        click.echo(summary.line())


def health_lines(health: Health) -> list[str]:
    """The notice when the app does not serve what CURRENT names."""
    lines = []
    if health.pointer_problem:
        lines.append(f"notice: {health.pointer_problem}")
    for record in health.set_aside:
        what = "set aside" if record.moved else "not used"
        lines.append(
            f"notice: snapshot {record.id} could not be used ({record.reason}); "
            f"{what} at {record.found_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    if lines:
        serving = health.serving.id if health.serving else "nothing"
        lines.append(f"notice: serving {serving}; a good `flask --app app data import DIR` repairs this")
    return lines


@data_cli.command("status")
def status_cmd():
    """Shows the current snapshot, and any snapshot set aside as damaged."""
    health = services().snapshots.health()
    notices = health_lines(health)
    snap = health.serving
    if snap is None and notices:
        fail([*notices, "no usable snapshot: run `flask --app app data import DIR`"])
    if snap is None:
        fail(["no data imported yet: run `flask --app app data import DIR`"])
    for line in notices:
        click.echo(line, err=True)
    try:
        info = snap.info()
    except duckdb.Error as e:
        fail([f"snapshot {snap.id}: {duckdb_reason(e)}", "run `flask --app app data verify`"])
    click.echo(f"snapshot     {info.id}")
    click.echo(f"as_of        {info.as_of}")
    click.echo(f"imported at  {info.imported_at:%Y-%m-%d %H:%M:%S} UTC")
    click.echo(f"source       {info.source}")
    for table, n in info.row_counts.items():
        click.echo(f"{table:24} {n:>12,} rows")


@data_cli.command("verify")
def verify_cmd():
    """Checks every kept snapshot (checksum and tables); one line each. Exit 1
    when any is damaged."""
    verdicts = services().snapshots.verify()
    if not verdicts:
        click.echo("no snapshots")
    for v in verdicts:
        mark = " (current)" if v.current else ""
        if v.problem is None:
            click.echo(f"{v.id}{mark}  ok" + (f" ({v.note})" if v.note else ""))
        else:
            click.echo(f"{v.id}{mark}  damaged: {v.problem}")
    if any(v.problem is not None for v in verdicts):
        sys.exit(1)


@data_cli.command("migrate")
def migrate_cmd():
    """Upgrades the app-state store to the newest schema and shows its revision."""
    state = services().state
    # building the app upgrades the store (every start does): say what it did
    before, after = state.last_upgrade or state.init_schema()
    click.echo(f"app-state store  {state.location()}")
    if before != after:
        click.echo(f"migrated from    {before or 'empty'}")
    click.echo(f"revision         {after} (head)")


@data_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(file: Path):
    """Writes a backup of the app-state store to FILE (0600), consistent while the app runs."""
    from partnerhub.data.backup import backup

    state = services().state
    try:
        info = backup(state, file)
    except (ValueError, OSError) as e:
        fail([f"backup failed: {e}", "nothing was written"])
    click.echo(f"app-state store  {state.location()}")
    click.echo(f"revision         {info.revision}")
    for table, n in info.rows.items():
        click.echo(f"{table:24} {n:>12,} rows")
    click.echo(f"backup written to {file}")


@data_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the rows of a store that has some without asking.")
def restore_cmd(file: Path, yes: bool):
    """Replaces every row of the app-state store with those of the backup FILE,
    then upgrades it to this version's schema. Every session ends."""
    from partnerhub.data.backup import NotABackup, check, restore, row_count

    state = services().state
    try:
        check(file)
    except NotABackup as e:
        fail([f"restore refused: {e}", "nothing was changed"])
    held = row_count(state)
    if held and not yes:
        question = f"The app-state store at {state.location()} holds {held:,} rows; replace them all with the backup's?"
        if not click.confirm(question, default=False, err=True):
            fail(["restore cancelled: nothing was changed"])
    try:
        info = restore(state, file)
    except NotABackup as e:
        fail([f"restore refused: {e}", "nothing was changed"])
    click.echo(f"app-state store  {state.location()}")
    click.echo(f"restored from    {file} (revision {info.revision})")
    for table, n in info.rows.items():
        click.echo(f"{table:24} {n:>12,} rows")
    click.echo(f"revision         {state.revision()} (head); every session has ended")
