"""The ``govcat`` command: ``up``, ``down``, ``status``, ``ckan ARGS…``.

Every subcommand finds its data directory from ``--data-dir``, else ``GOVCAT_DATA_DIR``, else
``.govcat`` in the current directory.
"""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import click

from . import processes
from .config import portal_env, write_config
from .layout import DataDir, choose_data_dir
from .portal import LauncherError, Portal, _bin
from .services import EmbeddedPostgres, EmbeddedRedis, ServiceError, resolve_services

data_dir_option = click.option(
    "--data-dir", "data_dir", type=click.Path(file_okay=False), default=None,
    help="Where this portal keeps its data (default: $GOVCAT_DATA_DIR, else ./.govcat).")


@click.group()
def govcat() -> None:
    """GovCat: run the whole open-data portal with one command."""


@govcat.command()
@click.option("--demo", is_flag=True, help="Load demo departments and datasets (once).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web server worker processes.")
@data_dir_option
def up(demo: bool, host: str, port: int, workers: int, data_dir: str | None) -> None:
    """Start PostgreSQL, Redis, the web server and the workers; stop all on Ctrl-C."""
    portal = Portal(choose_data_dir(data_dir), say=lambda s: click.echo(s, err=False))
    try:
        code = portal.up(host, port, workers, demo)
    except LauncherError as e:
        raise click.ClickException(str(e)) from e
    sys.exit(code)


@govcat.command()
@data_dir_option
def down(data_dir: str | None) -> None:
    """Stop the portal running from the data directory."""
    try:
        click.echo(Portal(choose_data_dir(data_dir)).down())
    except LauncherError as e:
        raise click.ClickException(str(e)) from e


@govcat.command()
@data_dir_option
def status(data_dir: str | None) -> None:
    """Show each service and process: running or not, pid, port. Exit 3 when not running."""
    portal = Portal(choose_data_dir(data_dir))
    root = portal.dir.root
    click.echo(f"data dir    {root}")
    launcher = portal.running_launcher()
    state = portal.state() if launcher else {}
    rows: list[tuple[str, int | None, str]] = [
        ("launcher", launcher, state.get("url", "")),
    ]
    marker = str(portal.dir.ini)
    for name in state.get("processes", {}):
        pid = processes.owned_pid(portal.dir.run / f"{name}.pid", marker)
        detail = f"{state['host']}:{state['port']} ({state['workers']} workers)" \
            if name == "web" else ""
        rows.append((name, pid, detail))
    if (root / "postgres" / "port").exists():
        pg = EmbeddedPostgres(root / "postgres")
        rows.append(("postgres", pg.running_pid(), f"127.0.0.1:{pg.port}"))
    if (root / "redis" / "port").exists():
        redis = EmbeddedRedis(root / "redis")
        rows.append(("redis", redis.running_pid(), f"127.0.0.1:{redis.port}"))
    for name, pid, detail in rows:
        state_text = f"running  pid {pid:<7}" if pid else "stopped           "
        click.echo(f"{name:<16}{state_text} {detail}".rstrip())
    if not launcher:
        sys.exit(3)


@govcat.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@data_dir_option
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def ckan(data_dir: str | None, args: tuple[str, ...]) -> None:
    """Run the `ckan` CLI against this portal, e.g. `govcat ckan user token add admin t1`.

    When the portal is not running, its embedded servers are started for the command."""
    portal = Portal(choose_data_dir(data_dir))
    if not portal.dir.ini.exists():
        raise click.ClickException(
            f"No portal in {portal.dir.root}: run `govcat up --data-dir {portal.dir.root}` first.")
    env = dict(os.environ, CKAN_INI=str(portal.dir.ini))
    argv = [_bin("ckan"), "-c", str(portal.dir.ini), *args]
    if portal.running_launcher():
        sys.exit(subprocess.run(argv, env=env).returncode)
    try:
        services = resolve_services(portal.dir.root)
    except ServiceError as e:
        raise click.ClickException(str(e)) from e
    try:
        url = portal.state().get("url") or _configured_site_url(portal.dir)
        env.update(portal_env(portal.dir, services.urls, url))
        write_config(portal.dir, env)
        code = subprocess.run(argv, env=env).returncode
    finally:
        services.stop()
    sys.exit(code)


def _configured_site_url(data_dir: DataDir) -> str:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(data_dir.ini, encoding="utf-8")
    return parser.get("app:main", "ckan.site_url")


def main() -> None:
    # platformdirs (imported by the PostgreSQL wheel) warns when XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    govcat(prog_name="govcat")


if __name__ == "__main__":
    main()
