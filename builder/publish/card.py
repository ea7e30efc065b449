"""The dataset card: README.md with the YAML that `datasets` and the Hub read."""

from __future__ import annotations

import yaml

from builder.publish.datasheet import composition, splits_text
from builder.publish.tables import ARTICLE_FIELDS_LEFT_OUT


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return name
    return "1M<n<10M"


def metadata(release, stats: dict) -> dict:
    configs, infos = [], []
    for config in release.configs:
        splits = release.counts[config.name]
        configs.append(
            {
                "config_name": config.name,
                "data_files": [{"split": s, "path": f"data/{config.name}/{s}.parquet"} for s in splits],
                **({"default": True} if config.name == "claims" else {}),
            }
        )
        infos.append(
            {
                "config_name": config.name,
                "features": config.features._to_yaml_list(),
                "splits": [
                    {"name": s, "num_bytes": release.num_bytes[config.name][s], "num_examples": rows}
                    for s, rows in splits.items()
                ],
                "dataset_size": sum(release.num_bytes[config.name].values()),
            }
        )
    return {
        "pretty_name": release.texts["pretty_name"],
        "license": release.texts["license"],
        "language": ["en"],
        "task_categories": ["text-classification"],
        "task_ids": ["fact-checking"],
        "size_categories": [size_category(stats["claims"])],
        "tags": ["fact-checking", "claim-detection", "check-worthiness", "news"],
        "configs": configs,
        "dataset_info": infos,
    }


def render(release, stats: dict) -> str:
    header = yaml.safe_dump(metadata(release, stats), sort_keys=False, allow_unicode=True, width=100)
    t = release.texts
    config_lines = "\n".join(f"- `{c.name}`: {c.description}" for c in release.configs)
    where = f"exports/{release.name}/{release.version}"
    labels = {c.name: c for c in release.configs}.get("verdicts")
    left_out = "; ".join(f"`{name}` ({why})" for name, why in ARTICLE_FIELDS_LEFT_OUT.items())
    body = f"""# {t["pretty_name"]}

{t["summary"]}

Version {release.version} of `{release.name}`, released {release.options.release_date}, built with
claimset {stats["extractor"].get("claimset", "?")}.

## Load it

```python
from datasets import load_dataset

claims = load_dataset("{where}", "claims")
{f'verdicts = load_dataset("{where}", "verdicts")' if stats["verdicts"] else ""}
```

From the Hub, use the repository id and `revision="v{release.version}"`.

## Configs

{config_lines}

Left out of `articles`, kept in the run folder's `articles.jsonl`: {left_out}.

Claim offsets (`char_start`, `char_end`) are Python code-point offsets into the `text` of the
claim's row in `articles`: `article["text"][claim["char_start"]:claim["char_end"]] == claim["text"]`.
{"Verdict labels: " + ", ".join(f"`{n}`" for n in labels.features["verdict"].names) + "." if labels else ""}

## Composition

{composition(stats)}

{splits_text(release, stats)}

## More

- `DATASHEET.md`: the datasheet (motivation, composition, collection, preprocessing, uses,
  distribution, maintenance).
- `CHANGELOG.md`: what changed since the previous version, claim by claim.
- `croissant.json`: Croissant metadata; `claimreview.jsonl`: verdicts as schema.org ClaimReview.
- `manifest.json`: input hashes, configuration, package versions and the hash of every file;
  `claimset rebuild` reproduces this folder byte for byte.

License: {t["license"]}.
"""
    return f"---\n{header}---\n\n{body.replace(chr(10) * 3, chr(10) * 2)}"
