"""Pushing releases to the Hugging Face Hub, against the local Hub stand-in (tests/hub_stub.py).

Two versions are published and pushed; `datasets.load_dataset(repo, config, revision="vX.Y.Z")`
in a fresh process (HF_ENDPOINT pointing at the stub, empty caches) must give each version's
own rows and features.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import RepositoryNotFoundError

from builder.errors import ClaimsetError
from builder.publish import PublishOptions, publish
from builder.publish.hub import push_to_hub
from builder.run import run_extract
from tests.conftest import EXAMPLES, run_cli
from tests.hub_stub import HubStub
from tests.test_publish import add_verdicts

TOKEN = "hf_claimsetTestToken0123456789abcdef"
REPO = "claimset-tester/news-claims"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_cli(*args, env={**os.environ, **env}, timeout=300)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with HubStub(token=TOKEN, log_path=tmp_path_factory.mktemp("hub") / "requests.jsonl") as stub:
        yield stub


def hub_env(hub: HubStub, home: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {
        "HF_ENDPOINT": hub.url,
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "HF_HOME": str(home / "hf-home"),
        "HF_DATASETS_CACHE": str(home / "hf-datasets"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_TOKEN": token or "",
    }
    return env


@pytest.fixture(scope="module")
def pushed(hub, example_run, tmp_path_factory):
    """v0.1.0 (three articles, four verdicts) pushed with the library; v0.2.0 (all five
    articles, twelve verdicts) pushed with the CLI."""
    tmp = tmp_path_factory.mktemp("hub-releases")
    (tmp / "articles").mkdir()
    for article in sorted(EXAMPLES.iterdir())[:3]:
        shutil.copy(article, tmp / "articles" / article.name)
    run_extract([tmp / "articles"], tmp / "run1")
    add_verdicts(tmp / "run1", n=4)
    shutil.copytree(example_run, tmp / "run2")
    add_verdicts(tmp / "run2", n=12)
    exports = tmp / "exports"
    releases = {
        version: publish(run, "news", version, out=exports, options=PublishOptions(release_date=date))
        for version, run, date in (
            ("0.1.0", tmp / "run1", "2026-03-01"),
            ("0.2.0", tmp / "run2", "2026-03-02"),
        )
    }
    first = push_to_hub(releases["0.1.0"].path, REPO, token=TOKEN, endpoint=hub.url)
    second = cli("push-to-hub", str(releases["0.2.0"].path), "--repo", REPO, env=hub_env(hub, tmp))
    assert second.returncode == 0, second.stderr
    return {"tmp": tmp, "releases": releases, "first": first, "cli": second}


def api(hub: HubStub) -> HfApi:
    return HfApi(endpoint=hub.url, token=TOKEN)


def rows_of(release_path: Path, config: str) -> dict[str, list]:
    return {
        f.stem: json.loads(json.dumps(pq.read_table(f).to_pylist(), default=str))
        for f in sorted((release_path / "data" / config).glob("*.parquet"))
    }


LOAD = """
import json, sys, datasets
out = {}
for revision in sys.argv[2:]:
    for config in ("claims", "verdicts"):
        loaded = datasets.load_dataset(sys.argv[1], config, revision=revision)
        out[revision + " " + config] = {
            "features": loaded[next(iter(loaded))].features.to_dict(),
            "rows": {split: table.to_list() for split, table in loaded.items()},
        }
print(json.dumps(out, default=str))
"""


def test_each_tag_loads_its_own_version_with_its_features(hub, pushed):
    home = pushed["tmp"] / "loader"
    result = subprocess.run(
        [sys.executable, "-c", LOAD, REPO, "v0.1.0", "v0.2.0"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **hub_env(hub, home, token=None)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.splitlines()[-1])
    for version, release in pushed["releases"].items():
        declared = {c.name: c.features for c in release.configs}
        for config in ("claims", "verdicts"):
            got = loaded[f"v{version} {config}"]
            assert got["rows"] == rows_of(release.path, config), (version, config)
            assert datasets.Features.from_dict(got["features"]) == declared[config]
    # the two versions really differ: v0.2.0 has more claims and more verdicts
    counts = {key: sum(len(r) for r in value["rows"].values()) for key, value in loaded.items()}
    assert counts["v0.1.0 claims"] < counts["v0.2.0 claims"]
    assert (counts["v0.1.0 verdicts"], counts["v0.2.0 verdicts"]) == (4, 12)


def test_one_commit_per_version_tagged_with_the_version(hub, pushed):
    hf = api(hub)
    commits = hf.list_repo_commits(REPO, repo_type="dataset")
    titles = [c.title for c in commits]
    assert titles[-3:] == ["Release 0.2.0", "Release 0.1.0", "initial commit"]
    tags = {t.name: t.target_commit for t in hf.list_repo_refs(REPO, repo_type="dataset").tags}
    assert tags["v0.2.0"] == commits[-3].commit_id and tags["v0.1.0"] == commits[-2].commit_id
    assert pushed["first"].commit_oid == commits[-2].commit_id
    for version, release in pushed["releases"].items():
        local = sorted(str(p.relative_to(release.path)) for p in release.path.rglob("*") if p.is_file())
        remote = hf.list_repo_files(REPO, repo_type="dataset", revision=f"v{version}")
        assert sorted(set(remote) - {".gitattributes"}) == local
        card = hf.hf_hub_download(
            REPO, "README.md", repo_type="dataset", revision=f"v{version}", cache_dir=pushed["tmp"] / "dl"
        )
        assert Path(card).read_bytes() == (release.path / "README.md").read_bytes()
    out = pushed["cli"].stdout
    assert "tagged v0.2.0" in out and 'revision="v0.2.0"' in out


def test_pushing_a_published_version_again_is_refused(hub, pushed):
    release = pushed["releases"]["0.1.0"].path
    before = len(api(hub).list_repo_commits(REPO, repo_type="dataset"))
    with pytest.raises(ClaimsetError) as error:
        push_to_hub(release, REPO, token=TOKEN, endpoint=hub.url)
    assert error.value.code == "E413" and "v0.1.0" in str(error.value)
    again = cli("push-to-hub", str(release), "--repo", REPO, env=hub_env(hub, pushed["tmp"]))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "(E413)" in again.stderr
    assert len(api(hub).list_repo_commits(REPO, repo_type="dataset")) == before  # nothing was committed


def test_publish_push_deletes_files_the_new_version_no_longer_has(hub, pushed):
    """v0.3.0 comes from a run without annotations: its commit removes the verdict and
    annotation files, while v0.2.0 keeps them."""
    tmp = pushed["tmp"]
    run3 = tmp / "run3"
    shutil.copytree(tmp / "run2", run3)
    for name in ("verdicts.jsonl", "annotations.jsonl"):
        (run3 / name).unlink()
    out = str(tmp / "exports")
    env = hub_env(hub, tmp)
    args = (
        "publish",
        str(run3),
        "--name",
        "news",
        "--version",
        "0.3.0",
        "--out",
        out,
        "--date",
        "2026-03-03",
    )
    result = cli(*args, "--push-to-hub", REPO, env=env)
    assert result.returncode == 0, result.stderr
    assert "tagged v0.3.0" in result.stdout
    hf = api(hub)
    v2 = set(hf.list_repo_files(REPO, repo_type="dataset", revision="v0.2.0"))
    v3 = set(hf.list_repo_files(REPO, repo_type="dataset", revision="v0.3.0"))
    gone = {f for f in v2 if f.startswith(("data/verdicts/", "data/annotations/"))}
    assert gone and not gone & v3
    assert v3 - {".gitattributes"} == {
        str(p.relative_to(tmp / "exports/news/0.3.0"))
        for p in (tmp / "exports/news/0.3.0").rglob("*")
        if p.is_file()
    }
    assert f"{len(gone)} of an older version deleted" in result.stdout
    commits = hf.list_repo_commits(REPO, repo_type="dataset")
    assert [c.title for c in commits][:2] == ["Release 0.3.0", "Release 0.2.0"]  # one commit for all of it


def test_what_is_not_a_release_or_has_changed_is_refused(hub, pushed, tmp_path):
    with pytest.raises(ClaimsetError) as error:
        push_to_hub(pushed["tmp"] / "run1", "claimset-tester/other", token=TOKEN, endpoint=hub.url)
    assert error.value.code == "E411" and "manifest.json" in str(error.value)
    changed = tmp_path / "0.1.0"
    shutil.copytree(pushed["releases"]["0.1.0"].path, changed)
    (changed / "DATASHEET.md").write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(ClaimsetError) as error:
        push_to_hub(changed, "claimset-tester/other", token=TOKEN, endpoint=hub.url)
    assert error.value.code == "E414" and "DATASHEET.md" in str(error.value)
    with pytest.raises(ClaimsetError) as error:
        push_to_hub(pushed["releases"]["0.1.0"].path, "not a repo id", token=TOKEN, endpoint=hub.url)
    assert error.value.code == "E418"
    assert ("dataset", "claimset-tester/other") not in hub.repos  # nothing was created


def test_token_problems_are_one_line_errors(hub, pushed):
    release = str(pushed["releases"]["0.1.0"].path)
    missing = cli(
        "push-to-hub", release, "--repo", "claimset-tester/t", env=hub_env(hub, pushed["tmp"], token=None)
    )
    assert missing.returncode == 1 and "(E412)" in missing.stderr and "HF_TOKEN" in missing.stderr
    wrong = "hf_wrongToken9876543210"
    refused = cli(
        "push-to-hub", release, "--repo", "claimset-tester/t", env=hub_env(hub, pushed["tmp"], token=wrong)
    )
    assert refused.returncode == 1 and "(E415)" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0
    assert wrong not in refused.stdout + refused.stderr


def test_private_repos_are_hidden_from_anonymous_readers(hub, pushed):
    pushed_private = push_to_hub(
        pushed["releases"]["0.1.0"].path,
        "claimset-tester/private-news",
        token=TOKEN,
        endpoint=hub.url,
        private=True,
    )
    assert pushed_private.private and pushed_private.tag == "v0.1.0"
    assert api(hub).dataset_info("claimset-tester/private-news", revision="v0.1.0").private
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub.url, token=False).dataset_info("claimset-tester/private-news")


def test_the_token_is_never_logged_printed_or_written(hub, pushed):
    # The stub logs every request (method, path, query, body) but not the Authorization header.
    log = Path(hub.log_path).read_text(encoding="utf-8")
    assert '"path": "/api/datasets/claimset-tester/news-claims/commit/main"' in log
    assert TOKEN not in log
    assert TOKEN not in pushed["cli"].stdout + pushed["cli"].stderr
    for release in pushed["releases"].values():
        for path in release.path.rglob("*"):
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path


def test_an_unreachable_hub_is_a_one_line_error(pushed, tmp_path):
    with pytest.raises(ClaimsetError) as error:
        push_to_hub(pushed["releases"]["0.1.0"].path, REPO, token=TOKEN, endpoint="http://127.0.0.1:9")
    assert error.value.code == "E417" and "127.0.0.1:9" in str(error.value) and "\n" not in str(error.value)
    assert TOKEN not in str(error.value)


def test_a_push_interrupted_before_tagging_is_finished_by_pushing_again(hub, pushed):
    """If the tag was not created (say the connection dropped after the commit), pushing the
    same release again adds no commit and tags the one already there."""
    repo = "claimset-tester/interrupted"
    release = pushed["releases"]["0.2.0"].path
    first = push_to_hub(release, repo, token=TOKEN, endpoint=hub.url)
    hf = api(hub)
    hf.delete_tag(repo, tag="v0.2.0", repo_type="dataset")  # as if create_tag never happened
    again = push_to_hub(release, repo, token=TOKEN, endpoint=hub.url)
    assert again.commit_oid == first.commit_oid
    assert again.uploaded == [] and len(again.unchanged) == len(first.uploaded)
    assert [c.title for c in hf.list_repo_commits(repo, repo_type="dataset")] == [
        "Release 0.2.0",
        "initial commit",
    ]
    tags = {t.name: t.target_commit for t in hf.list_repo_refs(repo, repo_type="dataset").tags}
    assert tags == {"v0.2.0": first.commit_oid}
