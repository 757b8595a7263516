"""The long-running processes of a portal, each in its own process group with a pid file.

Contract: ``Process.start`` spawns a command in a new session (so signals to the group reach its
workers), output appended to ``logs/<name>.log``, pid in ``run/<name>.pid``. ``stop_group`` sends
SIGTERM to the whole group, then SIGKILL after a grace period. A pid file counts as ours only when
the live process's command line names this portal's config file, so a stale pid file reused by an
unrelated process is never signalled.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from .layout import DataDir


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def owned_pid(path: Path, marker: str) -> int | None:
    """The pid in ``path`` if that process is alive and its command line contains ``marker``."""
    pid = read_pid(path)
    if pid and alive(pid) and marker in cmdline(pid):
        return pid
    return None


def stop_group(pid: int, grace: float = 15.0) -> None:
    """SIGTERM the process group led by ``pid``; SIGKILL what is left after ``grace`` s."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _group_alive(pid):
                return
            time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(") ", 1)[-1].split()
            # fields: state ppid pgrp ...
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


@dataclasses.dataclass
class Process:
    name: str
    argv: list[str]
    data_dir: DataDir
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    _env: dict[str, str] | None = None
    _log: IO[bytes] | None = None

    @property
    def pidfile(self) -> Path:
        return self.data_dir.run / f"{self.name}.pid"

    @property
    def logfile(self) -> Path:
        return self.data_dir.logs / f"{self.name}.log"

    def start(self, env: dict[str, str]) -> None:
        self._env = env
        self._log = self._log or open(self.logfile, "ab")
        self.popen = subprocess.Popen(
            self.argv, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True, cwd=self.data_dir.root,
        )
        self.pidfile.write_text(str(self.popen.pid))

    def exited(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def restart(self) -> None:
        assert self.popen is not None and self._env is not None
        stop_group(self.popen.pid)  # whatever its children left behind
        self.restarts += 1
        self.start(self._env)

    def stop(self) -> None:
        if self.popen is not None:
            stop_group(self.popen.pid)
            self.popen.wait()
        if self._log is not None:
            self._log.close()
        self.pidfile.unlink(missing_ok=True)
