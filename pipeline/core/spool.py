"""Records and JSONL text held in temporary files instead of memory.

A document too long to hold all its records in memory (`pipeline.core.sections`) hands them on
as a `SpooledRecords` file; `pipeline.io.lines.record_lines` turns that into a `SpooledText` file of
checked JSONL lines, which the writers copy to the output a chunk at a time. Both are
plain paths, so they cross from a worker process to the main process on one machine. They
are named ``lintas-spool-*``, live in the run's own folder (`run_folder`, in ``TMPDIR``)
and are deleted once read; the folder goes at the end of the run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO, Union

SPOOL_PREFIX = "lintas-spool-"
CHUNK_CHARS = 1 << 20


# The folder of this process's spool files: a run's own (`run_folder`) or the temp folder.
_folder: str | None = None


def spool_folder() -> str | None:
    """The folder spool files are made in now (None: the temp folder)."""
    return _folder


def use_folder(folder: str | None) -> None:
    """Make spool files in ``folder`` (None: the temp folder); a worker process calls it
    with its run's folder."""
    global _folder
    _folder = folder


@contextmanager
def run_folder() -> Iterator[str]:
    """A folder for one run's spool files (``lintas-run-*`` in the temp folder), used by
    this process while the run lasts and removed at its end, however it ends: spool files
    of inputs a stopped run never wrote, or that a dead worker left, go with it."""
    previous = _folder
    with tempfile.TemporaryDirectory(prefix="lintas-run-") as folder:
        use_folder(folder)
        try:
            yield folder
        finally:
            use_folder(previous)


def spool_file(kind: str) -> tuple[TextIO, str]:
    """A new temp file open for writing UTF-8 lines (strict: a lone surrogate raises
    `UnicodeEncodeError` at the write), and its path."""
    fd, path = tempfile.mkstemp(prefix=f"{SPOOL_PREFIX}{kind}-", suffix=".jsonl",
                                dir=_folder)
    return open(fd, "w", encoding="utf-8", newline="\n"), path


def discard(path: str) -> None:
    """Delete a spool file (gone already is fine)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@dataclass
class SpooledRecords:
    """One input's records, one JSON object per line of the file at ``path``, in order.
    Read once: the file is deleted when the iteration ends (or is abandoned)."""

    path: str

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    yield json.loads(line)
        finally:
            discard(self.path)

    def discard(self) -> None:
        """Delete the file; the reader calls this once it has read the records."""
        discard(self.path)


@dataclass
class SpooledText:
    """One input's JSONL text, as written to the output, in the file at ``path``."""

    path: str

    def chunks(self) -> Iterator[str]:
        """The text a chunk at a time; the file is deleted at the end (or on an error)."""
        try:
            with open(self.path, encoding="utf-8", newline="") as fh:
                while chunk := fh.read(CHUNK_CHARS):
                    yield chunk
        finally:
            discard(self.path)

    def read(self) -> str:
        """The whole text (for an engine whose results cross machines); deletes the file."""
        return "".join(self.chunks())


# What an input's records become on their way to the output: the JSONL text, or the file
# holding it.
Lines = Union[str, SpooledText]


def text_chunks(lines: Lines) -> Iterator[str]:
    """The JSONL text of ``lines`` in pieces, the same for text in memory and spooled."""
    if isinstance(lines, str):
        yield lines
    else:
        yield from lines.chunks()


def write_text(out: TextIO, lines: Lines) -> None:
    """Write ``lines`` to the text stream ``out``."""
    for chunk in text_chunks(lines):
        out.write(chunk)


def write_bytes(out: BinaryIO, lines: Lines, sink: Any = None) -> int:
    """Write ``lines`` UTF-8 encoded to ``out`` (``sink.update`` also gets every byte, e.g.
    a hash); returns the number of bytes."""
    n = 0
    for chunk in text_chunks(lines):
        data = chunk.encode("utf-8")
        out.write(data)
        if sink is not None:
            sink.update(data)
        n += len(data)
    return n
