"""Resumable output folders: ``lintas run INPUT... --out-dir DIR``.

A folder holds:

- ``manifest.json``: what made it (lintas version, the command's options, the pipeline
  config, fingerprints of the models, library versions, and every input file with its size
  and modification time). A resume with anything different is refused, naming the
  difference, because the parts would no longer join into one run's output.
- ``part-00000.jsonl``, …: the records of ``shard_size`` consecutive inputs each, so part
  boundaries depend on input order only. ``cat DIR/part-*`` is byte for byte what
  ``lintas run -o`` writes for the same inputs.
- ``journal.jsonl``: one line per finished part (its inputs, counts, size and sha256),
  fsync'd, and a last ``complete`` line once every input is written.

A part is written to ``part-NNNNN.jsonl.tmp``, fsync'd, renamed, and the folder fsync'd,
before its journal line is written: after a crash at any moment the journal lists only
whole parts. Resuming cuts a torn last journal line, checks each journaled part's size and
sha256 (a damaged part is written again), and deletes temp files and parts the journal
does not list.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.core.errors import FolderError
from pipeline.core.spool import Lines, write_bytes
from pipeline.io.manifest import file_sha256, manifest_differences

MANIFEST = "manifest.json"
JOURNAL = "journal.jsonl"
LOCK = "lock"  # held (flock) by the run writing the folder
TEMP_SUFFIX = ".tmp"
# Inputs per part: a crash loses at most one part's work; a part of news articles is a few MB.
DEFAULT_SHARD_SIZE = 512


def part_name(part: int) -> str:
    """The file name of part number ``part`` (five digits: ``cat DIR/part-*`` is in order
    up to 100,000 parts; `merge` orders by number at any count)."""
    return f"part-{part:05d}.jsonl"


def _fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (a no-op where folders cannot be
    opened, as on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file, fsync and rename."""
    tmp = path.with_name(path.name + TEMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


# ---------------------------------------------------------------- journal

@dataclass
class PartEntry:
    """A finished part, as its journal line records it."""

    part: int
    first_input: int
    inputs: int
    documents: int
    records: int
    errors: int
    bytes: int
    sha256: str

    @property
    def file(self) -> str:
        return part_name(self.part)


@dataclass
class FolderState:
    """What a folder holds: intact parts, the ``complete`` line, and what is wrong."""

    manifest: dict[str, Any] | None
    parts: dict[int, PartEntry] = field(default_factory=dict)
    complete: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    torn_at: int | None = None  # byte offset of a torn last journal line

    @property
    def done_inputs(self) -> int:
        return sum(p.inputs for p in self.parts.values())

    def is_complete(self) -> bool:
        """True when the run finished and every part it wrote is intact."""
        return (self.complete is not None
                and len(self.parts) == self.complete.get("parts")
                and self.done_inputs == self.complete.get("inputs"))


def read_state(folder: Path, verify: bool = True) -> FolderState:
    """Read a folder's manifest and journal; with ``verify``, keep only the parts whose file
    has the journaled size and sha256 (the others are listed in ``problems``)."""
    manifest = None
    if (folder / MANIFEST).is_file():
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FolderError(f"{folder / MANIFEST} cannot be read: {exc}")
    state = FolderState(manifest)
    journal = folder / JOURNAL
    if not journal.is_file():
        return state
    data = journal.read_bytes()
    offset = 0
    for raw in data.splitlines(keepends=True):
        entry = None
        if raw.endswith(b"\n"):
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
        if not isinstance(entry, dict):
            # only a crash mid-append leaves a bad line, and only as the last one
            state.torn_at = offset
            state.problems.append(f"{JOURNAL}: a torn line at byte {offset} (cut on resume)")
            break
        offset += len(raw)
        if entry.get("complete"):
            state.complete = entry
            continue
        try:
            part = PartEntry(**{k: entry[k] for k in PartEntry.__dataclass_fields__})
        except (KeyError, TypeError):
            state.problems.append(f"{JOURNAL}: an unreadable line at byte {offset - len(raw)}")
            continue
        state.parts[part.part] = part  # a part written again: its last line counts
    if verify:
        for n, part in sorted(state.parts.items()):
            path = folder / part.file
            size = path.stat().st_size if path.is_file() else None
            problem = None
            if size is None:
                problem = "missing"
            elif size != part.bytes:
                problem = f"{size} bytes, the journal says {part.bytes}"
            elif file_sha256(path) != part.sha256:
                problem = "its sha256 differs from the journal's"
            if problem:
                state.problems.append(f"{part.file}: {problem} (written again on resume)")
                del state.parts[n]
    return state


def _append_journal(folder: Path, entry: dict[str, Any]) -> None:
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with open(folder / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


# ---------------------------------------------------------------- writing

class OutFolder:
    """An output folder opened for a run: new, or resumed after checking its manifest."""

    def __init__(self, path: Path, manifest: dict[str, Any], shard_size: int) -> None:
        self.path, self.shard_size = path, shard_size
        self._lock: Any = None
        try:
            self.state = self._open(manifest)
        except OSError as exc:  # a folder that cannot be written (permissions, disk)
            raise FolderError(f"cannot write --out-dir {path}: {exc.strerror or exc}")

    def _open(self, manifest: dict[str, Any]) -> FolderState:
        path = self.path
        if path.exists() and not path.is_dir():
            raise FolderError(f"--out-dir {path} is a file, not a folder")
        # what a run that died before its manifest was written leaves is no one's data
        theirs = [p for p in path.iterdir() if p.name != LOCK
                  and not p.name.endswith(TEMP_SUFFIX)] if path.is_dir() else []
        if theirs and not (path / MANIFEST).exists():
            raise FolderError(f"--out-dir {path} is not empty and has no {MANIFEST}: "
                              "not a lintas output folder")
        path.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        state = read_state(path)
        if state.manifest is None:
            _write_atomic(path / MANIFEST, json.dumps(manifest, ensure_ascii=False,
                                                      indent=1, sort_keys=True) + "\n")
            state.manifest = manifest
        elif state.manifest != manifest:
            diff = manifest_differences(state.manifest, manifest)
            raise FolderError(f"--out-dir {path} was made by a different command; resume "
                              "with the same inputs, options, models and libraries, or "
                              "choose a new folder. Differences:\n  " + "\n  ".join(diff))
        if state.torn_at is not None:
            with open(path / JOURNAL, "r+b") as fh:
                fh.truncate(state.torn_at)
                fh.flush()
                os.fsync(fh.fileno())
        keep = {MANIFEST, JOURNAL} | {p.file for p in state.parts.values()}
        for item in path.iterdir():
            # temp files of an interrupted write, and parts the journal does not vouch for
            if item.name not in keep and (item.name.endswith(TEMP_SUFFIX)
                                          or item.name.startswith("part-")):
                item.unlink()
        if state.complete is not None and not state.is_complete():
            state.complete = None  # a part is written again: completion is journaled anew
        return state

    def _take_lock(self) -> None:
        """Refuse a second run on the folder while one writes it: it would delete the
        first run's temp files as strays. (No lock where fcntl is missing: Windows.)"""
        try:
            import fcntl
        except ImportError:
            return
        self._lock = open(self.path / LOCK, "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise FolderError(f"--out-dir {self.path} is being written by another lintas run")

    def close(self) -> None:
        """Let another run open the folder."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def done(self, part: int) -> bool:
        """True when part number ``part`` is written and intact."""
        return part in self.state.parts

    def open_part(self, part: int) -> PartWriter:
        """A writer for part number ``part``."""
        return PartWriter(self, part)

    def finish(self, inputs: int) -> None:
        """Journal that the run is complete: ``inputs`` inputs in the parts listed."""
        if self.state.is_complete():
            return
        entry = {"complete": True, "inputs": inputs, "parts": len(self.state.parts)}
        _append_journal(self.path, entry)
        self.state.complete = entry


class PartWriter:
    """One part being written: to its temp file, then made durable by `commit`."""

    def __init__(self, folder: OutFolder, part: int) -> None:
        self.folder, self.part = folder, part
        self.final = folder.path / part_name(part)
        self.tmp = self.final.with_name(self.final.name + TEMP_SUFFIX)
        self.fh = open(self.tmp, "wb")
        self.sha = hashlib.sha256()
        self.counts = {"inputs": 0, "documents": 0, "records": 0, "errors": 0, "bytes": 0}

    def write(self, lines: Lines, documents: int, records: int, errors: int) -> None:
        """Write one input's lines."""
        size = write_bytes(self.fh, lines, self.sha)
        for key, n in (("inputs", 1), ("documents", documents), ("records", records),
                       ("errors", errors), ("bytes", size)):
            self.counts[key] += n

    @property
    def inputs(self) -> int:
        return self.counts["inputs"]

    def commit(self) -> None:
        """fsync, rename into place, fsync the folder, then journal the part."""
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.final)
        _fsync_dir(self.folder.path)
        entry = PartEntry(part=self.part, first_input=self.part * self.folder.shard_size,
                          sha256=self.sha.hexdigest(), **self.counts)
        _append_journal(self.folder.path, asdict(entry))
        self.folder.state.parts[self.part] = entry

    def discard(self) -> None:
        """Drop an unfinished part (a run stopped by a signal)."""
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- reading

def complete_state(folder: Path) -> FolderState:
    """The state of a folder that must be a complete run (merge, link, export)."""
    if not (folder / MANIFEST).is_file():
        raise FolderError(f"{folder} is not a lintas output folder (no {MANIFEST})")
    state = read_state(folder)
    if not state.is_complete():
        detail = "; ".join(state.problems) or (
            f"{len(state.parts)} parts ({state.done_inputs} inputs) written so far")
        raise FolderError(f"{folder} is not a complete run ({detail}): run the same "
                          "`lintas run ... --out-dir` command again to finish it")
    return state


def part_paths(folder: Path) -> list[Path]:
    """The parts of a complete folder, in input order."""
    state = complete_state(folder)
    return [folder / state.parts[n].file for n in sorted(state.parts)]


def merge(parts: list[Path], out: TextIO) -> None:
    """Write ``parts`` (`part_paths` of a complete folder) to ``out``, in order."""
    for path in parts:
        with open(path, encoding="utf-8") as fh:
            for block in iter(lambda: fh.read(1 << 20), ""):
                out.write(block)


def status(folder: Path) -> dict[str, Any]:
    """What a folder holds, for `lintas status`."""
    if not (folder / MANIFEST).is_file():
        raise FolderError(f"{folder} is not a lintas output folder (no {MANIFEST})")
    state = read_state(folder)
    manifest = state.manifest or {}
    totals = {k: sum(getattr(p, k) for p in state.parts.values())
              for k in ("inputs", "documents", "records", "errors", "bytes")}
    return {
        "folder": str(folder),
        "lintas": manifest.get("lintas"),
        "input_files": len(manifest.get("files", [])),
        "shard_size": manifest.get("command", {}).get("shard_size"),
        "parts_done": len(state.parts),
        **totals,
        "complete": state.is_complete(),
        "total_inputs": state.complete.get("inputs") if state.complete else None,
        "problems": state.problems,
    }
