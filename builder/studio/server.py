"""A local Label Studio: installed into its own venv, started on 127.0.0.1, offline.

Everything lives in one folder (``.studio/`` under the project by default, or
``CLAIMSET_STUDIO_HOME``): ``venv/`` (label-studio from the pinned ``label-studio.lock``),
``data/`` (the server's database and uploads), ``credentials.json`` (admin login and API key,
mode 0600), ``server.json`` (pid, port, url) and ``server.log``. The folder is 0700 and the
server runs with a 077 umask, so only the owner can read what it writes (the database holds
annotators' emails, password hashes and the API token).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.records import StudioCredentials
from builder.runfiles import read_record

LOCK_FILE = Path(__file__).with_name("label-studio.lock")
DEFAULT_PORT = 8080
START_TIMEOUT = 240.0
OWNER_ONLY_UMASK = 0o077
# offline and quiet: no update check, no analytics, no error reporting
OFFLINE_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "SENTRY_RATE": "0",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
}
ADMIN_ENV = (
    "LABEL_STUDIO_USERNAME",
    "LABEL_STUDIO_PASSWORD",
    "LABEL_STUDIO_USER_TOKEN",
    "LABEL_STUDIO_API_KEY",
)


def studio_home() -> Path:
    """The folder holding the local instance (``CLAIMSET_STUDIO_HOME`` or ``./.studio``)."""
    return Path(os.environ.get("CLAIMSET_STUDIO_HOME") or Path.cwd() / ".studio").resolve()


def write_secret(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600 from the start, never world-readable)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


@dataclass
class Credentials:
    username: str
    password: str
    api_key: str

    @classmethod
    def load_or_create(cls, home: Path) -> Credentials:
        """From LABEL_STUDIO_USERNAME/PASSWORD/API_KEY, else the stored ones, else new ones."""
        path = home / "credentials.json"
        stored = read_record(path, StudioCredentials) if path.exists() else {}
        creds = cls(
            username=os.environ.get("LABEL_STUDIO_USERNAME")
            or stored.get("username")
            or "admin@claimset.local",
            password=os.environ.get("LABEL_STUDIO_PASSWORD")
            or stored.get("password")
            or secrets.token_urlsafe(18),
            api_key=os.environ.get("LABEL_STUDIO_API_KEY") or stored.get("api_key") or secrets.token_hex(20),
        )
        if creds.__dict__ != stored:
            write_secret(path, json.dumps(creds.__dict__, indent=2) + "\n")
        return creds


@dataclass
class Status:
    running: bool
    url: str | None
    pid: int | None
    answering: bool


class LocalStudio:
    """One local Label Studio instance rooted at ``home`` (its venv may live elsewhere)."""

    def __init__(self, home: Path | None = None, venv: Path | None = None) -> None:
        self.home = (home or studio_home()).resolve()
        self.venv = (venv or Path(os.environ.get("CLAIMSET_STUDIO_VENV") or self.home / "venv")).resolve()
        self.data = self.home / "data"
        self.state_file = self.home / "server.json"
        self.log_file = self.home / "server.log"
        self.credentials_file = self.home / "credentials.json"

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "label-studio"

    def installed(self) -> bool:
        return self.executable.exists()

    def install(self, python: str | None = None, quiet: bool = True) -> bool:
        """Install label-studio from the pinned lock file into the venv; False if already there."""
        if self.installed():
            return False
        python = python or os.environ.get("PYTHON") or sys.executable
        try:
            subprocess.run([python, "-m", "venv", str(self.venv)], check=True, capture_output=quiet)
            pip = [str(self.venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
            if quiet:
                pip.append("--quiet")
            subprocess.run([*pip, "-r", str(LOCK_FILE)], check=True, capture_output=quiet)
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or [str(error)]
            raise ClaimsetError(Errors.E301, detail=detail[0]) from None
        return True

    def status(self) -> Status:
        state = self._state()
        pid = state.get("pid")
        alive = bool(pid) and _alive(pid)
        url = state.get("url") if alive else None
        return Status(
            running=alive, url=url, pid=pid if alive else None, answering=bool(url) and _answers(url)
        )

    def up(self, port: int | None = None, timeout: float = START_TIMEOUT) -> tuple[str, Credentials]:
        """Start the server (if it is not running) and wait until it answers; returns its URL."""
        if not self.installed():
            raise ClaimsetError(Errors.E302, path=self.venv)
        creds = Credentials.load_or_create(self.home)
        current = self.status()
        if current.running and current.answering:
            return current.url, creds
        port = port or self._state().get("port") or free_port(DEFAULT_PORT)
        url = f"http://127.0.0.1:{port}"
        self.data.mkdir(parents=True, exist_ok=True)
        self.tighten()
        env = {k: v for k, v in os.environ.items() if k not in ADMIN_ENV}
        env.update(OFFLINE_ENV, LABEL_STUDIO_BASE_DATA_DIR=str(self.data), LABEL_STUDIO_HOST=url)
        if not (self.data / "label_studio.sqlite3").exists():
            # first start only: later starts would log "User <name> already exists"
            env.update(
                LABEL_STUDIO_USERNAME=creds.username,
                LABEL_STUDIO_PASSWORD=creds.password,
                LABEL_STUDIO_USER_TOKEN=creds.api_key,
            )
        fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        log = os.fdopen(fd, "ab")  # handed to the server process
        cmd = [
            str(self.executable),
            "start",
            "--internal-host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-browser",
        ]
        process = subprocess.Popen(
            cmd,
            env=env,
            cwd=self.data,  # not the project: Label Studio puts the git log of its folder into every page
            umask=OWNER_ONLY_UMASK,  # its database, uploads and exports: the owner's alone
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._write_state({"pid": process.pid, "port": port, "url": url})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ClaimsetError(Errors.E303, code=process.returncode, log=self.log_file)
            if _answers(url):
                return url, creds
            time.sleep(0.5)
        self.down()
        raise ClaimsetError(Errors.E304, seconds=int(timeout), log=self.log_file)

    def tighten(self) -> None:
        """Make the instance's folder and what the server wrote there readable by the owner alone.

        Folders made by earlier versions (0755, a 0644 database) are tightened in place; the
        venv is left as it is (nothing secret, and only reachable through the 0700 folder).
        """
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder, dirs, files in os.walk(self.home):
            dirs[:] = [d for d in dirs if Path(folder, d) != self.venv]
            for path in [Path(folder), *(Path(folder, f) for f in files)]:
                if path.is_symlink():
                    continue
                mode = path.stat().st_mode & 0o777
                if mode & 0o077:
                    os.chmod(path, mode & 0o700)

    def down(self, timeout: float = 30.0) -> bool:
        """Stop the server started by ``up``; False if it was not running."""
        pid = self._state().get("pid")
        if not pid or not _alive(pid):
            return False
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            time.sleep(0.5)
        return True

    def _state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict) -> None:
        write_secret(self.state_file, json.dumps(state) + "\n")


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` if it is free on 127.0.0.1, else any free port."""
    for candidate in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child (exited, not yet reaped) counts as stopped
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)  # the server runs in its own session: its group id is its pid
