"""Prepare a portal's databases: run inside CKAN once per `govcat up`, before the web server.

``python -m ckanext.govcat.launcher.bootstrap --config INI --result FILE [--datastore-grants]
[--demo] [--admin-file FILE]``. Every step is idempotent:

1. every migration: CKAN core, then each enabled plugin that has a ``migration/<plugin>/`` history
   (activity, harvest, tracking, govcat_search, …) — CKAN's own ``ckan db upgrade``;
2. with ``--datastore-grants`` (the launcher owns the PostgreSQL superuser), the DataStore
   permissions that ``ckan datastore set-permissions`` prints, applied;
3. the sysadmin (``CKAN_SYSADMIN_NAME`` / ``_PASSWORD`` / ``_EMAIL``, else ``admin`` with a
   generated password kept in the admin file);
4. with ``--demo``, the demo departments and datasets, once;
5. the JavaScript translations served at ``/api/i18n/<locale>`` (``ckan run`` builds them when it
   starts, a WSGI server does not; without them CKAN's scripts stay English).

Writes ``{"admin": name, "password": generated-or-null, "created": bool, "demo": n}`` to
``--result`` (or stdout). Runs under a PostgreSQL advisory lock, so concurrent starts are safe. Exit status 1 with a one-line message on stderr when a step fails.
"""
from __future__ import annotations

import contextlib
import json
import logging
import logging.config
import os
import secrets
import sys
from pathlib import Path
from typing import Any, Iterator

import click
import psycopg2
from sqlalchemy.engine import make_url

BOOTSTRAP_ENV = "GOVCAT_BOOTSTRAP"
# pg_advisory_lock key of the bootstrap ("govcat" in ASCII).
BOOTSTRAP_LOCK = 0x676F76636174


def load_app(ini: str) -> Any:
    """CKAN's Flask app for ``ini``, loaded the way the ``ckan`` CLI does.
    Checked against CKAN 2.12.0 (``ckan/cli/cli.py`` reads ``app._wsgi_app`` the same way)."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))._wsgi_app


def migrate() -> None:
    """``ckan db upgrade``: core, then every enabled plugin with pending migrations."""
    from ckan.cli.db import upgrade

    upgrade.main(args=[], standalone_mode=False)


def apply_datastore_grants() -> None:
    """Apply the SQL of ``ckan datastore set-permissions`` on the DataStore database."""
    import ckan.plugins.toolkit as tk
    from ckanext.datastore.cli import permissions_sql

    main, write, read = (make_url(tk.config[k]) for k in (
        "sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url"))
    script = permissions_sql(
        maindb=main.database, datastoredb=write.database, mainuser=main.username,
        writeuser=write.username, readuser=read.username)
    # The script starts with psql's `\connect <datastore db>`: we connect there ourselves.
    body = "\n".join(line for line in script.splitlines() if not line.startswith("\\"))
    with contextlib.closing(psycopg2.connect(tk.config["ckan.datastore.write_url"])) as conn:
        with conn, conn.cursor() as cur:
            cur.execute(body)


def ensure_sysadmin(admin_file: Path | None) -> dict[str, Any]:
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    name = os.environ.get("CKAN_SYSADMIN_NAME") or "admin"
    user = model.User.get(name)
    if user is not None:
        if not user.sysadmin:
            user.sysadmin = True
            model.Session.commit()
        return {"admin": name, "password": None, "created": False}
    given = os.environ.get("CKAN_SYSADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(12)
    email = os.environ.get("CKAN_SYSADMIN_EMAIL") or f"{name}@localhost"
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("user_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"name": name, "email": email, "password": password, "sysadmin": True,
         "fullname": "平台管理员"},
    )
    if not given and admin_file is not None:
        admin_file.write_text(json.dumps({"name": name, "password": password}), "utf-8")
        admin_file.chmod(0o600)
    return {"admin": name, "password": None if given else password, "created": True}


@contextlib.contextmanager
def exclusive(url: str) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock on the CKAN database: replicas starting together
    (production web containers) migrate one after the other, never concurrently."""
    with contextlib.closing(psycopg2.connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (BOOTSTRAP_LOCK,))
            try:
                yield
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", (BOOTSTRAP_LOCK,))


def run(app: Any, result: Path | None = None, admin_file: Path | None = None,
        datastore_grants: bool = False, demo: bool = False) -> dict[str, Any]:
    """Every step, inside ``app``; the outcome is also written to ``result`` when given."""
    import ckan.plugins.toolkit as tk

    with app.test_request_context(), exclusive(tk.config["sqlalchemy.url"]):
        migrate()
        if datastore_grants:
            apply_datastore_grants()
        outcome = ensure_sysadmin(admin_file)
        outcome["demo"] = 0
        if demo:
            from .demo import load_demo

            outcome["demo"] = load_demo(outcome["admin"])
        from ckan.lib.i18n import build_js_translations

        build_js_translations()
    import ckan.model as model

    model.Session.remove()  # return the session's connection before anything forks
    if result is not None:
        result.write_text(json.dumps(outcome), "utf-8")
        result.chmod(0o600)
    return outcome


def run_from_env(app: Any) -> None:
    """Run the bootstrap described by ``$GOVCAT_BOOTSTRAP`` (JSON of ``run``'s keyword
    arguments), if set: `govcat up` has the web server's master do it before forking workers,
    so the portal loads CKAN once."""
    spec = os.environ.get(BOOTSTRAP_ENV)
    if not spec:
        return
    options = json.loads(spec)
    run(app, result=Path(options["result"]), admin_file=Path(options["admin_file"]),
        datastore_grants=options["datastore_grants"], demo=options["demo"])
    _restore_logging(os.environ["CKAN_INI"])


def _restore_logging(ini: str) -> None:
    """Alembic's env.py configures logging from alembic.ini and disables every existing
    logger; give the web server back the portal's logging (config/govcat.ini)."""
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    logging.config.fileConfig(ini, defaults={"here": os.path.dirname(os.path.abspath(ini))},
                              disable_existing_loggers=False)


@click.command()
@click.option("--config", "ini", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--result", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the outcome as JSON here (default: print it).")
@click.option("--admin-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep a generated sysadmin password here (default: print it).")
@click.option("--datastore-grants", is_flag=True)
@click.option("--demo", is_flag=True)
def main(ini: str, result: Path | None, admin_file: Path | None, datastore_grants: bool,
         demo: bool) -> None:
    outcome = run(load_app(ini), result, admin_file, datastore_grants, demo)
    if result is None:
        click.echo(json.dumps(outcome))


if __name__ == "__main__":
    sys.exit(main())
