"""Periodic portal work: the harvest scheduler and the download/view statistics.

``python -m ckanext.govcat.launcher.scheduler --config INI [--interval SECONDS]`` loads CKAN once
and, every interval: runs ``harvest_jobs_run`` (starts harvest jobs that are due and finishes
those whose objects are all fetched — what ``ckan harvester run`` does from cron) when the
``harvest`` plugin is enabled, aggregates page views and downloads (``ckan tracking update``)
when ``tracking`` is enabled, and expires ended grants of conditional access (``ckan govcat
access expire``: state, transition, email) when ``govcat_access`` is enabled. Stops on
SIGTERM/SIGINT.
"""
from __future__ import annotations

import datetime
import logging
import signal
import sys
import threading

import click

log = logging.getLogger("ckanext.govcat.scheduler")


def tick() -> None:
    import ckan.plugins as p
    import ckan.plugins.toolkit as tk

    if p.plugin_loaded("harvest"):
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        try:
            tk.get_action("harvest_jobs_run")({"ignore_auth": True, "user": site_user["name"]},
                                              {})
        except tk.ValidationError:
            pass  # "There are no new harvesting jobs": nothing is due.
    if p.plugin_loaded("tracking"):
        from ckanext.tracking.cli.tracking import update_all

        update_all(str(datetime.date.today() - datetime.timedelta(days=1)))
    if p.plugin_loaded("govcat_access"):
        from ..access.cli import run_expiry

        run_expiry()


@click.command()
@click.option("--config", "ini", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--interval", default=60.0, show_default=True, help="Seconds between runs.")
def main(ini: str, interval: float) -> None:
    from .bootstrap import load_app

    app = load_app(ini)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        with app.test_request_context():
            try:
                tick()
            except Exception:  # one failed round must not stop the scheduler
                log.exception("Scheduled run failed")
        stop.wait(interval)


if __name__ == "__main__":
    sys.exit(main())
