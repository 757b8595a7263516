"""A CKAN environment for benchmarks: private services, a bench ini, the app, migrations."""
from __future__ import annotations

import configparser
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ckanext.govcat.launcher.services import Services, resolve_services

ROOT = Path(__file__).resolve().parent.parent
SITE_ID = "govcat-bench"
# The six facet fields of every benchmark query; the provider keeps them as integer facet terms.
FACET_FIELDS = ["organization", "tags", "res_format", "share_type", "open_type", "update_cycle"]


@dataclass
class BenchEnv:
    services: Services
    ini: Path
    app: Any

    def stop(self) -> None:
        self.services.stop()


def write_ini(data_dir: Path, urls: dict[str, str]) -> Path:
    """``config/test.ini`` with the bench's services, site id and facet fields."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "config" / "test.ini", encoding="utf-8")
    main = parser["app:main"]
    main["ckan.site_id"] = SITE_ID
    main["ckan.plugins"] = "govcat_search"
    main["sqlalchemy.url"] = urls["CKAN_SQLALCHEMY_URL"]
    main["ckan.redis.url"] = urls["CKAN_REDIS_URL"]
    main["ckan.storage_path"] = str(data_dir / "storage")
    main["ckanext.govcat.search.facet_fields"] = " ".join(FACET_FIELDS)
    main["search.facets"] = " ".join(FACET_FIELDS)
    for section in ("logger_root", "logger_ckan", "logger_ckanext"):
        parser[section]["level"] = "ERROR"
    ini = data_dir / "bench.ini"
    with ini.open("w", encoding="utf-8") as f:
        parser.write(f)
    return ini


def start(data_dir: Path) -> BenchEnv:
    """Start (or reuse) the services under ``data_dir``, load CKAN and migrate every table."""
    data_dir.mkdir(parents=True, exist_ok=True)
    services = resolve_services(data_dir)
    os.environ.update(services.urls.as_env())
    ini = write_ini(data_dir, services.urls.as_env())

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    migrate()
    return BenchEnv(services, ini, app)


@contextlib.contextmanager
def pooled_engine_kept() -> Iterator[None]:
    """Run in-process migrations (or CKAN's database reset) and keep CKAN's pooled engine: its
    core alembic env re-binds the model to its own NullPool engine, which would make every later
    statement of this process open a new database connection (the portal migrates in a
    separate process and never sees this)."""
    from ckan import model

    engine = model.meta.engine
    yield
    model.init_model(engine)


def migrate() -> None:
    """Migrate core and govcat_search in-process."""
    from ckan.cli.db import _run_migrations

    with pooled_engine_kept():
        _run_migrations(None)  # type: ignore[arg-type]  # core
        _run_migrations("govcat_search")
