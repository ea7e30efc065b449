"""Regenerate schemas/*.json from the record definitions (builder.records); tests fail when they are out of date."""

from pathlib import Path

from builder.records import SCHEMAS
from builder.schema import write_schemas

if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "schemas"
    for name in write_schemas(folder, SCHEMAS):
        print(f"wrote {folder / name}")
