"""The shipped JSON Schema of lintas/1 records and a validator for it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("lintas-1.schema.json")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The lintas/1 JSON Schema (draft 2020-12) shipped with the package."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Any:
    # jsonschema-rs (Rust): about 3 microseconds a record, against about 250 for the
    # pure-Python jsonschema, which made validation a third of `lintas run`'s time.
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema())


def validation_errors(record: dict[str, Any]) -> list[str]:
    """Messages for every way ``record`` breaks the schema (empty when it is valid)."""
    validator = _validator()
    if validator.is_valid(record):
        return []
    errors = sorted(validator.iter_errors(record), key=lambda e: [str(p) for p in e.instance_path])
    return [f"{'/'.join(map(str, e.instance_path)) or '<record>'}: {e.message}" for e in errors]


def check_offsets(record: dict[str, Any], text: str) -> list[str]:
    """Span fields of ``record`` whose ``text`` is not ``text[start:end]``."""
    bad = []

    def visit(obj: Any, path: str) -> None:
        if isinstance(obj, dict):
            if {"start", "end", "text"} <= obj.keys() and isinstance(obj["start"], int):
                if text[obj["start"]:obj["end"]] != obj["text"]:
                    bad.append(f"{path}: {obj['text']!r} != {text[obj['start']:obj['end']]!r}")
            for k, v in obj.items():
                visit(v, f"{path}/{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                visit(v, f"{path}/{i}")

    visit(record, "")
    return bad
