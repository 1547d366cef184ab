"""`flask --app app demo ensure`: what `make run` does before serving.

When PARTNERHUB_HOME holds no data yet, generate demo data and import it
twice: first as it stood a week earlier (without the latest week's usage, so
its as_of is a week before), then whole, so that "the change since the
previous snapshot" has a previous one to compare with. Then give one demo
user per role a random password, kept in a 0600 file so that
the next `make run` prints the same sign-ins. Never when real data was
imported: demo accounts are only created beside demo data. The passwords are
set through the application layer, as the operator ("cli").
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import click
import polars as pl
from flask.cli import AppGroup

from partnerhub.data.contract import BY_NAME
from partnerhub.data.runtime import services
from partnerhub.data.snapshots import SnapshotStore
from partnerhub.data.state import StateStore

demo_cli = AppGroup("demo", help="Demo data and demo sign-ins.")

CREDENTIALS = "demo-credentials.txt"
DEMO_DATA = "demo-data"
PREVIOUS_DEMO_DATA = "demo-data-week-before"


def _read_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split(None, 1) for line in path.read_text().splitlines() if line.strip())
    return {email: password.strip() for email, password in pairs}


def week_before(folder: Path, out: Path) -> Path:
    """A copy of the contract folder `folder` as exported a week earlier: the
    rows of the latest week_start dropped from every weekly table (the as_of
    of license_usage, latest week_start + 7, moves back by 7 days)."""
    folder, out = Path(folder), Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet") and p.stem in BY_NAME)
    weekly = {p: _read(p) for p in files if "week_start" in BY_NAME[p.stem].column_names}
    latest = _read(next(p for p in files if p.stem == "license_usage"))["week_start"].max()
    for path in files:
        if path not in weekly:
            shutil.copy2(path, out / path.name)
            continue
        df = weekly[path].filter(pl.col("week_start") != latest)
        if path.suffix == ".parquet":
            df.write_parquet(out / path.name, compression="zstd", statistics=True)
        else:
            df.write_csv(out / path.name, date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S%.fZ")
    return out


def _read(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=0).with_columns(pl.col("week_start").str.to_date())


def import_two_weeks(folder: Path, store: SnapshotStore, state: StateStore, keep: int, previous: Path):
    """Imports `folder` as it stood a week earlier (written to `previous`),
    then `folder` itself; returns the second import's result."""
    from partnerhub.data.importer import import_folder

    before = import_folder(week_before(folder, previous), store, state, keep=keep)
    if not before.ok:
        return before
    return import_folder(folder, store, state, keep=keep)


def ensure_demo(customers: int = 2000, weeks: int = 26, echo=click.echo) -> dict[str, str]:
    from partnerhub.auth.users import get_user_by_email
    from partnerhub.data.generator import DEMO_USERS, generate
    from partnerhub.services import users as user_actions
    from partnerhub.services.caller import cli_caller

    svc = services()
    home = svc.settings.home
    demo_dir = home / DEMO_DATA
    snap = svc.snapshots.current()
    if snap is None:
        echo(f"no data in {home}: generating demo data ({customers} customers, {weeks} weeks)")
        generate(demo_dir, customers=customers, weeks=weeks, seed=1)
        result = import_two_weeks(
            demo_dir, svc.snapshots, svc.state, svc.settings.keep_snapshots, home / PREVIOUS_DEMO_DATA
        )
        if not result.ok:
            raise click.ClickException("demo data did not import: " + "; ".join(result.report.lines()[:5]))
        snap = svc.snapshots.current()
        if snap is None:
            raise click.ClickException("demo data did not import: no current snapshot")
    if Path(snap.source) != demo_dir.resolve():
        echo("real data is imported: no demo sign-ins are created")
        return {}
    path = home / CREDENTIALS
    creds = _read_credentials(path)
    new = {}
    for email in DEMO_USERS:
        row = get_user_by_email(svc.state, email)
        if row is not None and (email not in creds or not row.password_hash):
            new[email] = creds[email] = secrets.token_urlsafe(12)
    user_actions.set_passwords(cli_caller(), new, source="demo")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.writelines(f"{email} {password}\n" for email, password in creds.items())
    os.chmod(path, 0o600)
    return creds


@demo_cli.command("ensure")
@click.option("--customers", default=2000, show_default=True, type=click.IntRange(200, 1_000_000))
@click.option("--weeks", default=26, show_default=True, type=click.IntRange(13, 520))
def ensure_cmd(customers: int, weeks: int):
    """Imports demo data when there is none and prints the demo sign-ins."""
    from partnerhub.data.generator import DEMO_USERS

    creds = ensure_demo(customers, weeks)
    if creds:
        click.echo("demo sign-ins (also in PARTNERHUB_HOME/" + CREDENTIALS + "):")
        for email, password in creds.items():
            click.echo(f"  {DEMO_USERS[email][1]:24} {email:28} {password}")
