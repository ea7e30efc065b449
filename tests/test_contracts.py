"""The contracts that must not drift: schemas/ generated from the records, the release keeping
every provenance field, no import cycle in builder/, and a README that names every code and
command."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import typer

from builder.cli import app
from builder.errors import Errors
from builder.publish.tables import claim_features
from builder.records import SCHEMAS, Extractor, Source
from builder.schema import schema_documents

ROOT = Path(__file__).resolve().parent.parent


def test_schemas_are_generated_from_the_records():
    generated = schema_documents(SCHEMAS)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.schema.json")}
    stale = sorted(name for name in generated if on_disk.get(name) != generated[name])
    assert not stale, f"schemas/ is out of date ({stale}): run `python scripts/write_schemas.py`"
    assert not set(on_disk) - set(generated), "schemas/ holds a schema no record defines"


def test_the_claims_config_holds_every_provenance_field():
    features = claim_features([])
    for field in dataclasses.fields(Source):
        assert field.name in features, field.name
    assert set(features["extractor"]) == {field.name for field in dataclasses.fields(Extractor)}


def _imports() -> dict[str, set[str]]:
    modules = {}
    for path in (ROOT / "builder").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # imports in functions too
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    found.add(target if target in modules else base)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_import_cycle_in_builder():
    graph = _imports()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(module) :], module]))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def _commands(group: typer.Typer, prefix: str = "") -> list[str]:
    names = [prefix + (c.name or c.callback.__name__.replace("_", "-")) for c in group.registered_commands]
    for sub in group.registered_groups:
        names += _commands(sub.typer_instance, prefix + sub.name + " ")
    return names


def test_the_readme_names_every_error_code_and_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = sorted(name for name in vars(Errors) if re.fullmatch(r"E\d{3}", name))
    missing = [code for code in codes if code not in readme]
    assert not missing, f"README.md does not mention {missing}"
    commands = _commands(app)
    assert len(commands) > 10

    def shown(command: str) -> bool:  # `claimset studio status | down` shows both
        *group, name = command.split(" ")
        prefix = " ".join(["claimset", *group]) + " "
        return re.search(re.escape(prefix) + r"(?:[\w-]+ \| )*" + re.escape(name) + r"\b", readme) is not None

    absent = [c for c in commands if not shown(c)]
    assert not absent, f"README.md does not show {absent}"


def test_one_union_find_in_builder():
    """Grouping, names and splits share builder.unionfind; no module keeps a copy of its own."""
    copies = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "builder").rglob("*.py")
        if p.name != "unionfind.py"
        and re.search(r"parent\[\w+\] = parent\[parent\[", p.read_text(encoding="utf-8"))
    ]
    assert copies == []
    from builder.unionfind import DisjointSets

    sets = DisjointSets("abcde")
    sets.union("d", "b")
    sets.union("e", "d")
    assert sets.groups() == {"a": ["a"], "b": ["b", "d", "e"], "c": ["c"]}  # smallest root kept
    assert sets.union("a", "c", root="c") == "c"
