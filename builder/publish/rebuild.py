"""`claimset rebuild`: publish a release again from its manifest and compare every byte."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.publish.manifest import HUMAN_INPUTS
from builder.publish.release import PublishOptions, publish
from builder.records import Manifest
from builder.runfiles import file_sha256, read_record


@dataclass
class RebuildReport:
    release: Path
    differences: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def identical(self) -> bool:
        return not self.differences


def rebuild(release_dir: Path, keep: Path | None = None) -> RebuildReport:
    """Rebuild a release from its manifest in a temporary folder and compare every file.

    Re-runs extract on the recorded input files (paths as recorded, relative to the folder
    extract ran in), takes the annotators' work from the recorded run folder, and publishes
    with the recorded options.
    """
    from builder.run import rerun_extract

    manifest_path = release_dir / "manifest.json"
    if not manifest_path.is_file():
        raise ClaimsetError(
            Errors.E409, path=release_dir, detail="no manifest.json (is this a release folder?)"
        )
    manifest = read_record(manifest_path, Manifest)
    report = RebuildReport(release_dir)

    for item in manifest["extract"]["inputs"]:
        path = Path(item["path"])
        if not path.is_file():
            report.differences.append(f"input {path}: missing")
        elif item.get("sha256") and file_sha256(path) != item["sha256"]:
            report.differences.append(f"input {path}: content changed since the release")
    run_folder = Path(manifest["run_folder"])
    datasheet = manifest["options"].get("datasheet")
    if datasheet and (
        not Path(datasheet).is_file() or file_sha256(Path(datasheet)) != manifest["datasheet_sha256"]
    ):
        report.differences.append(f"datasheet {datasheet}: missing or changed since the release")

    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="claimset-rebuild-"))
    try:
        run_dir = work / "run"
        rerun_extract(manifest["extract"], run_dir)
        for name in HUMAN_INPUTS:
            if name not in manifest["inputs"]:
                continue
            source = run_folder / name
            if not source.is_file():
                raise ClaimsetError(Errors.E409, path=release_dir, detail=f"{source} is missing")
            if file_sha256(source) != manifest["inputs"][name]:
                report.differences.append(f"input {source}: changed since the release")
            shutil.copyfile(source, run_dir / name)
        previous = release_dir.parent / manifest["previous_version"] if manifest["previous_version"] else None
        try:
            rebuilt = publish(
                run_dir,
                manifest["name"],
                manifest["version"],
                out=work / "exports",
                options=PublishOptions.from_dict(manifest["options"]),
                previous=previous,
                recorded_run_folder=manifest["run_folder"],
            ).path
        except ClaimsetError as error:
            report.differences.append(f"publish failed: {error}")
            return report
        _compare(release_dir, rebuilt, report)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report


def _compare(original: Path, rebuilt: Path, report: RebuildReport) -> None:
    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    old, new = files(original), files(rebuilt)
    report.files = len(old | new)
    for name in sorted(old - new):
        report.differences.append(f"{name}: in the release, not in the rebuild")
    for name in sorted(new - old):
        report.differences.append(f"{name}: in the rebuild, not in the release")
    for name in sorted(old & new):
        a, b = (original / name).read_bytes(), (rebuilt / name).read_bytes()
        if a == b:
            continue
        report.differences.append(f"{name}: differs")
        if name.endswith((".md", ".json", ".jsonl")):
            diff = difflib.unified_diff(
                a.decode("utf-8", "replace").splitlines(),
                b.decode("utf-8", "replace").splitlines(),
                f"release/{name}",
                f"rebuild/{name}",
                lineterm="",
                n=0,
            )
            report.details.extend(list(diff)[:20])
