"""A local stand-in for the Hugging Face Hub, for tests only (the Hub cannot run here).

It is the one stand-in the project allows: a stdlib HTTP server, started in a thread, that
answers the endpoints `huggingface_hub` (2.x) and `datasets.load_dataset` call, with the
real API's paths, JSON shapes and headers, read from huggingface_hub's own source
(hf_api.py, _commit_api.py, file_download.py, hf_file_system.py, utils/_http.py):

- ``POST /api/repos/create``: creates a repo with an "initial commit" holding
  ``.gitattributes`` (as the Hub does); 409 with the repo's ``url`` if it exists.
- ``POST /api/validate-yaml``: parses the README's YAML front matter (400 if malformed).
- ``GET  /api/{type}s/{repo}[/revision/{rev}]``: repo info (``id``, ``sha``, ``private``,
  ``siblings`` ...).
- ``GET  /api/{type}s/{repo}/refs``: branches, tags, converts (``name``, ``ref``,
  ``targetCommit``).
- ``POST /api/{type}s/{repo}/preupload/{rev}``: answers ``uploadMode: "regular"`` for every
  file (so contents come inline, base64, in the commit) and the ``oid`` of the file already
  there, which lets the client skip unchanged files.
- ``POST /api/{type}s/{repo}/commit/{rev}``: NDJSON payload (``header``, ``file``,
  ``deletedFile``, ``deletedFolder``); ``parentCommit`` is checked (412 if the branch
  moved); LFS entries are refused (the stub never asks for LFS).
- ``POST /api/{type}s/{repo}/tag/{rev}`` (409 if the tag exists),
  ``DELETE /api/{type}s/{repo}/tag/{tag}``.
- ``GET  /api/{type}s/{repo}/tree/{rev}[/{path}]`` (``recursive``),
  ``POST /api/{type}s/{repo}/paths-info/{rev}``, ``GET /api/{type}s/{repo}/commits/{rev}``.
- ``HEAD``/``GET /[datasets/|spaces/]{repo}/resolve/{rev}/{path}``: file bytes with
  ``X-Repo-Commit``, ``ETag`` (the git blob id), ``Content-Length``, ``Accept-Ranges``;
  ``Range`` requests answer 206.

Errors carry the Hub's ``X-Error-Code`` header (``RepoNotFound``, ``RevisionNotFound``,
``EntryNotFound``) so huggingface_hub raises its own exception classes. Writes need
``Authorization: Bearer <token>`` with the token the stub was started with (401 otherwise);
private repos answer 404 ``RepoNotFound`` to readers without it, as the Hub does.

The store is in memory and git-like: commits with sha1 oids and parents, the ``main``
branch, tags. Blob oids are real git blob hashes (what huggingface_hub computes for
"regular" files). Every request is appended to ``log_path`` (method, path, query, body) as
JSON Lines, without the Authorization header, so tests can check what the client sent.

Not implemented (not used by claimset): LFS and Xet uploads, pull requests, branches other
than ``main``, pagination (every listing fits one page), spaces/models beyond the same paths.

Use:
    with HubStub(token="hf_x", log_path=tmp / "hub.log") as hub:
        HfApi(endpoint=hub.url, token="hf_x")...
        # or, in a subprocess: HF_ENDPOINT=hub.url, HF_HUB_DISABLE_XET=1
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"
TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Commit:
    oid: str
    parent: str | None
    title: str
    message: str
    date: str
    files: dict[str, bytes]


@dataclass
class Repo:
    repo_type: str
    repo_id: str
    private: bool
    created: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        revision = revision.removeprefix("refs/heads/").removeprefix("refs/tags/")
        oid = self.branches.get(revision) or self.tags.get(revision)
        if oid is None and revision in self.commits:
            oid = revision
        return self.commits.get(oid) if oid else None

    def commit(self, parent: Commit | None, title: str, message: str, files: dict[str, bytes]) -> Commit:
        date = _now()
        tree = "".join(f"{p}\0{git_blob_oid(d)}\n" for p, d in sorted(files.items()))
        seed = f"{parent.oid if parent else ''}\n{title}\n{message}\n{date}\n{len(self.commits)}\n{tree}"
        commit = Commit(
            hashlib.sha1(seed.encode()).hexdigest(),
            parent.oid if parent else None,
            title,
            message,
            date,
            files,
        )
        self.commits[commit.oid] = commit
        return commit


class HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _folders(files: dict[str, bytes]) -> set[str]:
    return {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}


class HubStub:
    """The local Hub: ``start()``/``stop()`` or use as a context manager; ``url`` is its endpoint."""

    def __init__(self, token: str, log_path: Path | None = None, user: str = "claimset-tester") -> None:
        self.token = token
        self.user = user
        self.log_path = log_path
        self.repos: dict[tuple[str, str], Repo] = {}
        self.lock = threading.RLock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> HubStub:
        stub = self

        class Handler(_Handler):
            hub = stub

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> HubStub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def log(self, entry: dict) -> None:
        if self.log_path is None:
            return
        with self.lock, self.log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    # -- helpers used by the handler -------------------------------------------------------
    def repo(self, repo_type: str, repo_id: str, authorized: bool) -> Repo:
        repo = self.repos.get((repo_type, repo_id))
        if repo is None or (repo.private and not authorized):
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    def commit_of(self, repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(revision)
        if commit is None:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit

    def repo_url(self, repo: Repo) -> str:
        return f"{self.url}/{URL_PREFIX[repo.repo_type]}{repo.repo_id}"


def _entry(path: str, files: dict[str, bytes], folders: set[str]) -> dict | None:
    if path in files:
        data = files[path]
        return {"type": "file", "oid": git_blob_oid(data), "size": len(data), "path": path}
    if path in folders:
        inside = sorted((p, git_blob_oid(d)) for p, d in files.items() if p.startswith(path + "/"))
        return {
            "type": "directory",
            "oid": hashlib.sha1(repr(inside).encode()).hexdigest(),
            "size": 0,
            "path": path,
        }
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: HubStub

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence stderr
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _json(self, status: int, data, headers: dict | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _authorized(self) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {self.hub.token}"

    def _need_auth(self) -> None:
        if not self.headers.get("Authorization"):
            raise HubError(401, "You must be authenticated to access this resource")
        if not self._authorized():
            raise HubError(401, "Invalid credentials in Authorization header")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        segments = [unquote(s) for s in split.path.strip("/").split("/")]
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        body = self._body() if method in ("POST", "PUT", "DELETE") else b""
        self.hub.log(
            {
                "method": method,
                "path": split.path,
                "query": split.query,
                "body": body.decode("utf-8", "replace"),
            }
        )
        try:
            with self.hub.lock:
                self._route(method, segments, query, body)
        except HubError as error:
            headers = {"X-Error-Message": error.message}
            if error.code:
                headers["X-Error-Code"] = error.code
            payload = json.dumps({"error": error.message}).encode()
            self._send(error.status, payload, headers, head=method == "HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    # -- routes -----------------------------------------------------------------------------
    def _route(self, method: str, seg: list[str], query: dict, body: bytes) -> None:
        hub = self.hub
        if seg[:3] == ["api", "repos", "create"] and method == "POST":
            return self._create_repo(json.loads(body or b"{}"))
        if seg[:2] == ["api", "validate-yaml"] and method == "POST":
            return self._validate_yaml(json.loads(body or b"{}"))
        if seg[:2] == ["api", "whoami-v2"]:
            self._need_auth()
            return self._json(200, {"type": "user", "name": hub.user, "auth": {"type": "access_token"}})
        if len(seg) >= 4 and seg[0] == "api" and seg[1] in TYPES:
            repo_type, repo_id, rest = TYPES[seg[1]], f"{seg[2]}/{seg[3]}", seg[4:]
            repo = hub.repo(repo_type, repo_id, self._authorized())
            return self._repo_api(method, repo, rest, query, body)
        # File downloads: /{repo}/resolve/..., /datasets/{repo}/resolve/..., /spaces/...
        repo_type, rest = ("model", seg)
        if seg and seg[0] in TYPES and seg[0] != "models":
            repo_type, rest = TYPES[seg[0]], seg[1:]
        if len(rest) >= 5 and rest[2] == "resolve" and method in ("GET", "HEAD"):
            repo = hub.repo(repo_type, f"{rest[0]}/{rest[1]}", self._authorized())
            return self._resolve(method, repo, rest[3], "/".join(rest[4:]))
        raise HubError(404, f"no route for {method} {self.path} in the Hub stub")

    def _create_repo(self, payload: dict) -> None:
        self._need_auth()
        repo_type = payload.get("type") or "model"
        owner = payload.get("organization") or self.hub.user
        repo_id = f"{owner}/{payload['name']}"
        existing = self.hub.repos.get((repo_type, repo_id))
        if existing is not None:
            label = "dataset repo" if repo_type == "dataset" else f"{repo_type} repo"
            return self._json(
                409, {"error": f"You already created this {label}", "url": self.hub.repo_url(existing)}
            )
        private = payload.get("visibility") == "private" or bool(payload.get("private"))
        repo = Repo(repo_type, repo_id, private, _now())
        repo.branches["main"] = repo.commit(None, "initial commit", "", {".gitattributes": GITATTRIBUTES}).oid
        self.hub.repos[(repo_type, repo_id)] = repo
        self._json(200, {"url": self.hub.repo_url(repo), "name": repo_id, "id": repo_id})

    def _validate_yaml(self, payload: dict) -> None:
        content = payload.get("content", "")
        if content.startswith("---"):
            end = content.find("\n---", 3)
            try:
                if end < 0:
                    raise yaml.YAMLError("front matter is not closed")
                meta = yaml.safe_load(content[3:end])
                if meta is not None and not isinstance(meta, dict):
                    raise yaml.YAMLError("front matter is not a mapping")
            except yaml.YAMLError as error:
                return self._json(400, {"errors": [{"message": f"Invalid YAML in README.md: {error}"}]})
        self._json(200, {"errors": [], "warnings": []})

    def _repo_api(self, method: str, repo: Repo, rest: list[str], query: dict, body: bytes) -> None:
        action = rest[0] if rest else ""
        if method == "GET" and action in ("", "revision"):
            commit = self.hub.commit_of(repo, rest[1] if action == "revision" else "main")
            return self._json(200, self._info(repo, commit))
        if method == "GET" and action == "refs":

            def ref(kind: str, name: str, oid: str) -> dict:
                return {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": oid}

            return self._json(
                200,
                {
                    "branches": [ref("heads", n, o) for n, o in sorted(repo.branches.items())],
                    "converts": [],
                    "tags": [ref("tags", n, o) for n, o in sorted(repo.tags.items())],
                    **({"pullRequests": []} if query.get("include_prs") else {}),
                },
            )
        if method == "POST" and action == "preupload":
            self._need_auth()
            commit = self.hub.commit_of(repo, rest[1])
            files = json.loads(body)["files"]
            return self._json(
                200,
                {
                    "files": [
                        {
                            "path": f["path"],
                            "uploadMode": "regular",
                            "shouldIgnore": False,
                            "oid": git_blob_oid(commit.files[f["path"]])
                            if f["path"] in commit.files
                            else None,
                        }
                        for f in files
                    ],
                    "commitOid": commit.oid,
                },
            )
        if method == "POST" and action == "commit":
            self._need_auth()
            return self._commit(repo, rest[1], body)
        if method == "POST" and action == "tag":
            self._need_auth()
            commit = self.hub.commit_of(repo, rest[1])
            tag = json.loads(body)["tag"]
            if tag in repo.tags or tag in repo.branches:
                raise HubError(409, f"Tag {tag} already exists")
            repo.tags[tag] = commit.oid
            return self._json(200, {})
        if method == "DELETE" and action == "tag":
            self._need_auth()
            if repo.tags.pop(rest[1], None) is None:
                raise HubError(404, f"Invalid rev id: {rest[1]}", "RevisionNotFound")
            return self._json(200, {})
        if method == "GET" and action == "tree":
            commit = self.hub.commit_of(repo, rest[1])
            base = "/".join(rest[2:])
            return self._json(200, self._tree(commit, base, query.get("recursive") in ("True", "true", "1")))
        if method == "POST" and action == "paths-info":
            commit = self.hub.commit_of(repo, rest[1])
            form = parse_qs(body.decode())
            folders = _folders(commit.files)
            found = [_entry(p.strip("/"), commit.files, folders) for p in form.get("paths", [])]
            return self._json(200, [e for e in found if e])
        if method == "GET" and action == "commits":
            commit: Commit | None = self.hub.commit_of(repo, rest[1])
            history = []
            while commit is not None:
                history.append(
                    {
                        "id": commit.oid,
                        "title": commit.title,
                        "message": commit.message,
                        "authors": [{"user": self.hub.user}],
                        "date": commit.date,
                    }
                )
                commit = repo.commits.get(commit.parent) if commit.parent else None
            return self._json(200, history)
        raise HubError(404, f"no route for {method} {self.path} in the Hub stub")

    def _info(self, repo: Repo, commit: Commit) -> dict:
        return {
            "_id": hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/")[0],
            "sha": commit.oid,
            "createdAt": repo.created,
            "lastModified": commit.date,
            "private": repo.private,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": [
                {"rfilename": p, "size": len(d), "blobId": git_blob_oid(d)}
                for p, d in sorted(commit.files.items())
            ],
        }

    def _tree(self, commit: Commit, base: str, recursive: bool) -> list[dict]:
        folders = _folders(commit.files)
        if base and base not in folders:
            raise HubError(404, f"Entry not found: {base}", "EntryNotFound")
        prefix = f"{base}/" if base else ""
        paths = sorted({p for p in (*folders, *commit.files) if p.startswith(prefix)})
        if not recursive:
            paths = [p for p in paths if "/" not in p[len(prefix) :]]
        entries = [_entry(p, commit.files, folders) for p in paths]
        # The Hub lists folders before files.
        return sorted((e for e in entries if e), key=lambda e: (e["type"] != "directory", e["path"]))

    def _commit(self, repo: Repo, revision: str, body: bytes) -> None:
        if revision not in repo.branches:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        head = repo.commits[repo.branches[revision]]
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "the commit payload must start with a header line")
        header = lines[0]["value"]
        parent = header.get("parentCommit")
        if parent and parent != head.oid and not head.oid.startswith(parent):
            raise HubError(
                412, f"A commit has happened since. Please refresh and try again. ({parent} != {head.oid})"
            )
        files = dict(head.files)
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            path = value["path"].strip("/")
            if key == "file":
                if value.get("encoding") != "base64":
                    raise HubError(400, f"unsupported encoding for {path}")
                files[path] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                if path not in files:
                    raise HubError(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
                del files[path]
            elif key == "deletedFolder":
                inside = [p for p in files if p.startswith(path + "/")]
                if not inside:
                    raise HubError(404, f"A folder with this name doesn't exist: {path}", "EntryNotFound")
                for p in inside:
                    del files[p]
            else:
                raise HubError(400, f"the Hub stub does not support {key!r} entries (no LFS here)")
        commit = repo.commit(head, header.get("summary", ""), header.get("description", ""), files)
        repo.branches[revision] = commit.oid
        url = f"{self.hub.repo_url(repo)}/commit/{commit.oid}"
        self._json(200, {"success": True, "commitOid": commit.oid, "commitUrl": url, "hookOutput": ""})

    def _resolve(self, method: str, repo: Repo, revision: str, path: str) -> None:
        commit = self.hub.commit_of(repo, revision)
        if path not in commit.files:
            raise HubError(404, f"Entry not found: {path}", "EntryNotFound")
        data = commit.files[path]
        headers = {
            "Content-Type": "application/octet-stream",
            "X-Repo-Commit": commit.oid,
            "ETag": f'"{git_blob_oid(data)}"',
            "Accept-Ranges": "bytes",
            "Last-Modified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        }
        status, payload = 200, data
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and data:
            start_text, _, end_text = wanted[6:].split(",")[0].partition("-")
            if start_text:
                start, end = int(start_text), min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
            else:
                start, end = max(len(data) - int(end_text), 0), len(data) - 1
            if start >= len(data):
                headers["Content-Range"] = f"bytes */{len(data)}"
                return self._send(416, b"", headers, head=method == "HEAD")
            status, payload = 206, data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        headers["Content-Length"] = str(len(payload))
        self._send(status, payload, headers, head=method == "HEAD")
