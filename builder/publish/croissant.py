"""croissant.json: Croissant 1.0 metadata (with its Responsible-AI fields) for the release."""

from __future__ import annotations

from pathlib import Path

from builder.runfiles import file_sha256

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {
    "string": "sc:Text",
    "int32": "sc:Integer",
    "int64": "sc:Integer",
    "float64": "sc:Float",
    "bool": "sc:Boolean",
}


def _fields(config) -> list[dict]:
    """Top-level scalar columns, described as Croissant fields read from the parquet column."""
    fields = []
    for column, feature in config.features.items():
        dtype = getattr(feature, "dtype", None)
        if dtype not in DATA_TYPES:
            continue
        fields.append(
            {
                "@type": "cr:Field",
                "@id": f"{config.name}/{column}",
                "name": column,
                "dataType": DATA_TYPES[dtype],
                "source": {"fileSet": {"@id": f"{config.name}-parquet"}, "extract": {"column": column}},
            }
        )
    return fields


def build(release, stage: Path) -> dict:
    t = release.texts
    files = []
    for config in release.configs:
        for split in release.counts[config.name]:
            path = f"data/{config.name}/{split}.parquet"
            files.append(
                {
                    "@type": "cr:FileObject",
                    "@id": path,
                    "name": path,
                    "contentUrl": path,
                    "encodingFormat": "application/x-parquet",
                    "sha256": file_sha256(stage / path).removeprefix("sha256:"),
                }
            )
    filesets = [
        {
            "@type": "cr:FileSet",
            "@id": f"{config.name}-parquet",
            "name": f"{config.name}-parquet",
            "encodingFormat": "application/x-parquet",
            "includes": f"data/{config.name}/*.parquet",
        }
        for config in release.configs
    ]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": release.name,
        "alternateName": t["pretty_name"],
        "description": t["summary"],
        "license": t["license"],
        "url": f"exports/{release.name}/{release.version}",
        "version": release.version,
        "datePublished": release.options.release_date,
        "inLanguage": "en",
        "keywords": ["fact-checking", "claim detection", "check-worthiness", "news"],
        "citeAs": t.get("citation")
        or f"{t['pretty_name']}, version {release.version} ({release.options.release_date}).",
        "creator": {"@type": "Organization", "name": t.get("creator", t["pretty_name"])},
        "rai:dataCollection": t["collection"],
        "rai:dataCollectionType": ["Web Scraping", "Manual Human Curation"],
        "rai:dataPreprocessingProtocol": [
            "Sentences split and tagged with spaCy; boilerplate and verbatim repeated passages excluded; "
            "candidates scored for check-worthiness (see DATASHEET.md)."
        ],
        "rai:dataAnnotationProtocol": (
            "Annotators in Label Studio read each claim in its article and chose one verdict (supported, "
            "refuted, not_enough_evidence, conflicting_evidence, not_a_claim) with evidence spans, "
            "evidence URLs and a rationale; disagreements were adjudicated by a reviewer."
        ),
        "rai:dataAnnotationPlatform": ["Label Studio"],
        "rai:annotationsPerItem": "See the n_annotators column of the verdicts config.",
        "rai:personalSensitiveInformation": (
            "Articles name public figures as reported by the news. Annotators appear only as salted pseudonyms."
        ),
        "rai:dataUseCases": [t["uses"]],
        "rai:dataLimitations": ["Not suitable for " + t["out_of_scope_uses"]],
        "rai:dataBiases": [
            "Claims reflect the selection and framing of the collected outlets; check-worthiness scores "
            "reflect the model's training data."
        ],
        "rai:dataReleaseMaintenancePlan": t["maintenance"],
        "distribution": files + filesets,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": config.name,
                "name": config.name,
                "description": config.description,
                "field": _fields(config),
            }
            for config in release.configs
        ],
    }
