"""One portal: services, config, bootstrap, web server and workers, started and stopped together.

Contract: ``Portal(data_dir).up(...)`` runs in the foreground until SIGINT/SIGTERM/SIGHUP or until
one of its processes dies, then stops every process it started (process groups) and the embedded
services, and returns the exit status. ``LauncherError`` carries a message for the user; nothing
is left running when it is raised.
"""
from __future__ import annotations

import configparser
import fcntl
import contextlib
import json
import os
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType
from typing import IO, Callable

from . import processes
from .config import ConfigError, blocking_redis_url, portal_env, site_url, write_config
from .layout import SERVICES_READY_ENV, DataDir
from .processes import Process
from .bootstrap import BOOTSTRAP_ENV
from .services import ServiceError, Services, resolve_services

LAUNCHER_PID = "govcat.pid"
READY_TIMEOUT = 120.0
MAX_RESTARTS = 5


class LauncherError(RuntimeError):
    """A situation the user must fix; the message says how."""


def _bin(name: str) -> str:
    """A console script of the running interpreter's environment."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise LauncherError(f"{path} is missing: run `make install`.")
    return str(path)


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with contextlib.closing(socket.socket(family, socket.SOCK_STREAM)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def enabled_plugins(ini: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini, encoding="utf-8")
    return parser.get("app:main", "ckan.plugins", fallback="").split()


class Portal:
    def __init__(self, root: Path, say: Callable[[str], None] = print) -> None:
        self.dir = DataDir(root)
        self.say = say
        self.services: Services | None = None
        self.procs: list[Process] = []
        self._stop_signal: int | None = None
        self._lock: IO[str] | None = None

    # -- state shared with `status`, `down` and `ckan` ------------------------------------
    @property
    def launcher_pidfile(self) -> Path:
        return self.dir.run / LAUNCHER_PID

    def running_launcher(self) -> int | None:
        """Pid of the live launcher of this data directory, if any."""
        pid = processes.read_pid(self.launcher_pidfile)
        if pid and pid != os.getpid() and processes.alive(pid) and "govcat" in processes.cmdline(pid):
            return pid
        return None

    def state(self) -> dict:
        return self.dir.read_json("run/state.json")

    def recover_stale(self) -> list[str]:
        """After a crash: stop leftover processes of this portal, drop its pid files."""
        notes: list[str] = []
        if not self.dir.run.exists():
            return notes
        marker = str(self.dir.ini)
        for pidfile in sorted(self.dir.run.glob("*.pid")):
            pid = processes.owned_pid(pidfile, marker)
            if pid and pidfile.name != LAUNCHER_PID:
                processes.stop_group(pid)
                notes.append(f"stopped leftover {pidfile.stem} (pid {pid})")
            else:
                notes.append(f"removed stale pid file {pidfile.name}")
            pidfile.unlink(missing_ok=True)
        (self.dir.run / "state.json").unlink(missing_ok=True)
        return notes

    # -- up ---------------------------------------------------------------------------------
    def up(self, host: str, port: int, workers: int, demo: bool) -> int:
        running = self.running_launcher()
        if running:
            url = self.state().get("url", "")
            raise LauncherError(
                f"GovCat is already running from {self.dir.root} (pid {running}) {url}\n"
                f"Stop it with `govcat down --data-dir {self.dir.root}`, or use another "
                f"--data-dir and --port to run a second portal.")
        if not port_free(host, port):
            raise LauncherError(
                f"Port {port} on {host} is already in use by another program: choose a free "
                f"port with --port.")
        self.dir.create()
        self._lock = open(self.dir.run / "govcat.lock", "w")
        try:
            # Held while this launcher lives; the kernel drops it if the launcher dies.
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LauncherError(f"Another `govcat up` is starting from {self.dir.root}.") from None
        for note in self.recover_stale():
            self.say(f"Recovered from an unclean stop: {note}")
        self.launcher_pidfile.write_text(str(os.getpid()))
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            return self._run(host, port, workers, demo)
        finally:
            self._shutdown()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stop_signal is None:
            self._stop_signal = signum
            raise KeyboardInterrupt

    def _run(self, host: str, port: int, workers: int, demo: bool) -> int:
        started = time.monotonic()
        try:
            # The web server imports CKAN while the services start; it builds the app once
            # the config is rendered (see wsgi.py).
            ready_marker = self.dir.run / "services.ready"
            ready_marker.unlink(missing_ok=True)
            web_env, result = self._web_env(demo, ready_marker)
            web = self._spawn("web", web_env, [
                sys.executable, "-m", "gunicorn",
                "--config", "python:ckanext.govcat.launcher.gunicorn_conf",
                "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "--workers", str(workers), "--env", f"CKAN_INI={self.dir.ini}",
                "ckanext.govcat.launcher.wsgi:application"])
            self.say("Starting PostgreSQL and Redis (or using CKAN_* URLs from the environment)…")
            self.services = resolve_services(self.dir.root)
            url = site_url(host, port)
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            env.update(portal_env(self.dir, self.services.urls, url))
            env["CKAN_INI"] = str(write_config(self.dir, env))
            ready_marker.touch()
            self.say("Running migrations" + (" and loading demo content" if demo else "") + "…")
            self._wait_ready(url, web)
            ready = time.monotonic() - started
            outcome = json.loads(result.read_text("utf-8"))
            self._spawn("jobs", env, [_bin("ckan"), "-c", str(self.dir.ini), "jobs", "worker"])
            if "harvest" in enabled_plugins(self.dir.ini):
                consumer_env = dict(env, CKAN_REDIS_URL=blocking_redis_url(env["CKAN_REDIS_URL"]))
                for stage in ("gather", "fetch"):
                    self._spawn(f"harvest-{stage}", consumer_env, [
                        _bin("ckan"), "-c", str(self.dir.ini), "harvester", f"{stage}-consumer"])
            self._spawn("scheduler", env, [
                sys.executable, "-m", "ckanext.govcat.launcher.scheduler", "--config",
                str(self.dir.ini)])
        except KeyboardInterrupt:
            self.say("Stopping…")
            return 130
        except (ServiceError, ConfigError) as e:
            raise LauncherError(str(e)) from e
        self._publish(url, host, port, workers, outcome)
        self._banner(url, outcome, ready)
        return self._watch()

    def _web_env(self, demo: bool, ready_marker: Path) -> tuple[dict[str, str], Path]:
        """The web server's environment. Its master runs the bootstrap before forking workers
        (one CKAN load for both), reporting to the returned result file. Everything else it
        reads from the rendered config. The DataStore grants are ours to apply when the
        launcher runs the DataStore database (CKAN_DATASTORE_WRITE_URL unset)."""
        result = self.dir.run / "bootstrap.json"
        result.unlink(missing_ok=True)
        spec = {"result": str(result), "admin_file": str(self.dir.root / "admin.json"),
                "datastore_grants": not os.environ.get("CKAN_DATASTORE_WRITE_URL"),
                "demo": demo}
        env = dict(os.environ, PYTHONUNBUFFERED="1", CKAN_INI=str(self.dir.ini))
        env[BOOTSTRAP_ENV] = json.dumps(spec)
        env[SERVICES_READY_ENV] = str(ready_marker)
        return env, result

    def _spawn(self, name: str, env: dict[str, str], argv: list[str]) -> Process:
        proc = Process(name, argv, self.dir)
        proc.start(env)
        self.procs.append(proc)
        return proc

    def _wait_ready(self, url: str, web: Process) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        probe = url + "/api/3/action/status_show"
        while time.monotonic() < deadline:
            if web.exited() is not None:
                tail = web.logfile.read_text("utf-8", "replace").strip().splitlines()[-15:]
                raise LauncherError(
                    "The web server stopped during start-up (it first runs the migrations, "
                    f"creates the sysadmin and loads demo content); see {web.logfile}:\n"
                    + "\n".join(tail))
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(probe, timeout=2) as reply:
                    if reply.status == 200:
                        return
            time.sleep(0.2)
        raise LauncherError(f"The web server did not answer {probe} within "
                            f"{READY_TIMEOUT:.0f} s; see {web.logfile}")

    def _publish(self, url: str, host: str, port: int, workers: int, outcome: dict) -> None:
        self.dir.write_json("run/state.json", {
            "url": url, "host": host, "port": port, "workers": workers,
            "admin": outcome["admin"], "launcher": os.getpid(), "processes": {},
        })
        self._publish_pids()

    def _publish_pids(self) -> None:
        state = self.state()
        state["processes"] = {p.name: p.popen.pid for p in self.procs if p.popen}
        self.dir.write_json("run/state.json", state)

    def _banner(self, url: str, outcome: dict, ready: float) -> None:
        lines = [
            "",
            f"GovCat is running at {url}   (ready in {ready:.1f} s)",
            f"  admin:   {outcome['admin']}",
        ]
        if outcome.get("password"):
            lines.append(f"  password: {outcome['password']}   (shown once; also in "
                         f"{self.dir.root / 'admin.json'})")
        elif (self.dir.root / "admin.json").exists():
            lines.append(f"  password: in {self.dir.root / 'admin.json'}")
        if outcome.get("demo"):
            lines.append(f"  demo:    {outcome['demo']} datasets loaded")
        lines += [
            f"  logs:    {self.dir.logs}/ (web.log, jobs.log, harvest-*.log, scheduler.log)",
            f"  config:  {self.dir.ini}",
            f"  CLI:     govcat ckan --data-dir {self.dir.root} …",
            "Press Ctrl-C to stop.",
        ]
        self.say("\n".join(lines))

    def _watch(self) -> int:
        """Until a stop signal: a worker that dies is restarted (up to MAX_RESTARTS times);
        when the web server dies, or a worker too often, the portal stops."""
        try:
            while True:
                for proc in self.procs:
                    code = proc.exited()
                    if code is None:
                        continue
                    if proc.name == "web" or proc.restarts >= MAX_RESTARTS:
                        self.say(f"{proc.name} exited with status {code}; see {proc.logfile}. "
                                 "Stopping the portal.")
                        return 1
                    self.say(f"{proc.name} exited with status {code}; restarting it "
                             f"(see {proc.logfile}).")
                    proc.restart()
                    self._publish_pids()
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.say("Stopping…")
            return 0

    def _shutdown(self) -> None:
        # Signals during shutdown must not interrupt it.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()
        if self.services is not None:
            self.services.stop()
            self.services = None
        else:  # interrupted while the services were starting
            self._stop_embedded_services()
        (self.dir.run / "state.json").unlink(missing_ok=True)
        self.launcher_pidfile.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.close()
        self.say("GovCat stopped.")

    # -- down -------------------------------------------------------------------------------
    def down(self, timeout: float = 60.0) -> str:
        pid = self.running_launcher()
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while processes.alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if processes.alive(pid):
                raise LauncherError(f"The launcher (pid {pid}) did not stop in {timeout:.0f} s.")
            return f"Stopped GovCat (launcher pid {pid})."
        notes = self.recover_stale()
        stopped = self._stop_embedded_services()
        if notes or stopped:
            return "GovCat was not running; cleaned up: " + "; ".join(notes + stopped)
        return "GovCat is not running."

    def _stop_embedded_services(self) -> list[str]:
        """Embedded servers left by a launcher that died without stopping them."""
        from .services import EmbeddedPostgres, EmbeddedRedis

        stopped = []
        pg_root, redis_root = self.dir.root / "postgres", self.dir.root / "redis"
        if (pg_root / "pgdata" / "postmaster.pid").exists():
            pg = EmbeddedPostgres(pg_root)
            if pg.running_pid():
                pg.stop()
                stopped.append("PostgreSQL")
        if (redis_root / "redis.pid").exists():
            redis = EmbeddedRedis(redis_root)
            if redis.running_pid():
                redis.stop()
                stopped.append("Redis")
        return stopped
