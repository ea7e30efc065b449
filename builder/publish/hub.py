"""Push a release folder to the Hugging Face Hub: one commit per version, tagged ``vX.Y.Z``.

The dataset repository's main branch mirrors the last pushed release: the commit
"Release X.Y.Z" uploads every file the release's manifest lists (plus manifest.json) and,
in the same commit, deletes the files an older version had that this one no longer has.
The commit is then tagged ``vX.Y.Z``, so

    datasets.load_dataset("OWNER/NAME", "claims", revision="vX.Y.Z")

gets exactly that version, whatever was pushed after it. A tag that exists is never moved:
published versions are immutable.

The token comes from the ``token`` argument or the ``HF_TOKEN`` environment variable and
is only ever handed to ``huggingface_hub``; it is never printed, logged or written. The
endpoint comes from the ``endpoint`` argument, else ``HF_ENDPOINT``, else the public Hub.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.records import Manifest
from builder.runfiles import file_sha256, read_record

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
DEFAULT_ENDPOINT = "https://huggingface.co"
# Files the Hub manages itself; never deleted by a push.
HUB_FILES = {".gitattributes"}


@dataclass
class HubPush:
    """What a push did."""

    repo_id: str
    version: str
    tag: str
    commit_oid: str
    commit_url: str
    repo_url: str
    endpoint: str
    private: bool  # the repo's visibility after the push
    uploaded: list[str] = field(default_factory=list)  # files the commit added or changed
    unchanged: list[str] = field(default_factory=list)  # files identical to what main already had
    deleted: list[str] = field(default_factory=list)  # files of an older version, removed

    @property
    def load_hint(self) -> str:
        return f'datasets.load_dataset("{self.repo_id}", "claims", revision="{self.tag}")'


def release_files(release_dir: Path) -> tuple[dict, dict[str, Path]]:
    """The manifest of ``release_dir`` and the files to upload (path in repo -> local path).

    Every file the manifest lists must be there with the recorded hash: a release changed
    after publishing is refused rather than pushed under a version it no longer is.
    """
    manifest_path = release_dir / "manifest.json"
    if not release_dir.is_dir():
        raise ClaimsetError(Errors.E411, path=release_dir, detail="no such folder")
    if not manifest_path.is_file():
        raise ClaimsetError(Errors.E411, path=release_dir, detail="no manifest.json")
    manifest = read_record(manifest_path, Manifest)
    outputs = manifest["outputs"]
    files: dict[str, Path] = {}
    for name, digest in sorted(outputs.items()):
        path = release_dir / name
        if not path.is_file():
            raise ClaimsetError(Errors.E414, path=release_dir, detail=f"{name} is missing")
        if file_sha256(path) != digest:
            raise ClaimsetError(
                Errors.E414, path=release_dir, detail=f"{name} differs from its manifest hash"
            )
        files[Path(name).as_posix()] = path
    files["manifest.json"] = manifest_path
    return manifest, files


def push_to_hub(
    release_dir: Path,
    repo_id: str,
    *,
    token: str | None = None,
    endpoint: str | None = None,
    private: bool = False,
) -> HubPush:
    """Upload ``release_dir`` (exports/NAME/X.Y.Z) to the dataset repo ``repo_id`` as one
    commit "Release X.Y.Z" on main, tagged ``vX.Y.Z``; creates the repo if missing."""
    release_dir = Path(release_dir)
    if not REPO_ID.match(repo_id) or ".." in repo_id or "--" in repo_id:
        raise ClaimsetError(Errors.E418, repo=repo_id)
    manifest, files = release_files(release_dir)
    version = manifest["version"]
    tag = f"v{version}"
    token = token or os.environ.get("HF_TOKEN") or None
    if not token:
        raise ClaimsetError(Errors.E412)
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")

    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    from builder import __version__

    api = HfApi(endpoint=endpoint, token=token, library_name="claimset", library_version=__version__)
    with _hub_errors(endpoint, repo_id, "create the repository"):
        repo_url = str(api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True))
    with _hub_errors(endpoint, repo_id, "list the repository's tags"):
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
    existing = {ref.name: ref.target_commit for ref in refs.tags}
    if tag in existing:
        raise ClaimsetError(Errors.E413, repo=repo_id, tag=tag, commit=existing[tag][:12])
    head = next((ref.target_commit for ref in refs.branches if ref.name == "main"), None)
    with _hub_errors(endpoint, repo_id, "list the files on main"):
        remote = _remote_files(api, repo_id) if head else {}

    additions = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(path)) for name, path in files.items()
    ]
    stale = sorted(set(remote) - set(files) - HUB_FILES)
    unchanged = [
        name
        for name, path in files.items()
        if name in remote and remote[name] == _identity(path, remote[name])
    ]
    operations = [*additions, *(CommitOperationDelete(path_in_repo=name) for name in stale)]
    description = (
        f"claimset release {manifest.get('name', '')} {version}: {len(files)} files"
        + (f", {len(stale)} files of an older version removed" if stale else "")
        + f". Load it with {tag!r} as the revision."
    )
    with _hub_errors(endpoint, repo_id, "commit the release"):
        commit = api.create_commit(
            repo_id,
            operations,
            commit_message=f"Release {version}",
            commit_description=description,
            repo_type="dataset",
            revision="main",
            parent_commit=head,
        )
    with _hub_errors(endpoint, repo_id, f"tag the commit {tag}", conflict=(Errors.E413, {"tag": tag})):
        api.create_tag(
            repo_id, tag=tag, tag_message=f"Release {version}", revision=commit.oid, repo_type="dataset"
        )
    with _hub_errors(endpoint, repo_id, "read the repository's visibility"):
        private = bool(api.dataset_info(repo_id, revision=tag).private)  # an existing repo keeps its own
    return HubPush(
        repo_id=repo_id,
        version=version,
        tag=tag,
        commit_oid=commit.oid,
        commit_url=commit.commit_url,
        repo_url=repo_url,
        endpoint=endpoint,
        private=private,
        uploaded=[name for name in files if name not in unchanged],
        unchanged=unchanged,
        deleted=stale,
    )


def _remote_files(api, repo_id: str) -> dict[str, tuple[str, str]]:
    """Files on main: path -> ("sha256", hex) for LFS files, ("git", blob id) for the others."""
    from huggingface_hub.hf_api import RepoFile

    return {
        entry.path: ("sha256", entry.lfs.sha256) if entry.lfs else ("git", entry.blob_id)
        for entry in api.list_repo_tree(repo_id, recursive=True, repo_type="dataset", revision="main")
        if isinstance(entry, RepoFile)
    }


def _identity(path: Path, remote: tuple[str, str]) -> tuple[str, str]:
    """The local file's id in the same kind as the remote one, to tell unchanged files."""
    from huggingface_hub.utils.sha import git_hash

    data = path.read_bytes()
    if remote[0] == "sha256":
        import hashlib

        return ("sha256", hashlib.sha256(data).hexdigest())
    return ("git", git_hash(data))


class _hub_errors:  # noqa: N801 - used as a context manager
    """Turn huggingface_hub and network errors into one-line ClaimsetErrors."""

    def __init__(self, endpoint: str, repo_id: str, action: str, conflict: tuple | None = None) -> None:
        self.endpoint, self.repo_id, self.action, self.conflict = endpoint, repo_id, action, conflict

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, ClaimsetError) or not isinstance(error, Exception):
            return False
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

        if isinstance(error, HfHubHTTPError):
            status = error.response.status_code if error.response is not None else "?"
            detail = _one_line(error.server_message or str(error))
            if status == 409 and self.conflict:  # the tag appeared since we listed the tags
                spec, values = self.conflict
                raise ClaimsetError(spec, repo=self.repo_id, commit="created meanwhile", **values) from None
            if status in (401, 403):
                raise ClaimsetError(
                    Errors.E415, endpoint=self.endpoint, repo=self.repo_id, detail=f"HTTP {status}: {detail}"
                ) from None
            raise ClaimsetError(
                Errors.E416, endpoint=self.endpoint, status=status, action=self.action, detail=detail
            ) from None
        if isinstance(error, (httpx2.TransportError, OfflineModeIsEnabled, ConnectionError, TimeoutError)):
            raise ClaimsetError(
                Errors.E417, endpoint=self.endpoint, detail=_one_line(f"{type(error).__name__}: {error}")
            ) from None
        if isinstance(error, ValueError):  # e.g. the Hub rejected the card's YAML metadata
            raise ClaimsetError(
                Errors.E416,
                endpoint=self.endpoint,
                status="an error",
                action=self.action,
                detail=_one_line(str(error)),
            ) from None
        return False


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return line if len(line) <= limit else line[: limit - 3] + "..."
