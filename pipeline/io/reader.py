"""Inputs to `Document`s: .txt files, folders, JSONL files and stdin.

Every input ends as exactly one `Document` or one `ErrorRecord` (a JSONL file: one per
line), in a deterministic order, and a failure on one input never stops the others.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.io.decode import decode_bytes
from pipeline.core.document import Document, ErrorRecord
from pipeline.core.errors import InputError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Default cap on one document's size; larger inputs get an error record (see --max-bytes).
DEFAULT_MAX_BYTES = 50_000_000

LANG_CODE = re.compile(r"[a-z]{2,3}")
_UNSAFE_ID = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_id(raw: str) -> str:
    """A doc_id made of word characters, dots and dashes (``/`` separates entity ids)."""
    cleaned = _UNSAFE_ID.sub("_", raw.strip()).strip("_")
    return cleaned or "doc"


class _IdAllocator:
    """Keeps doc_ids unique within a run, deterministically (``x``, ``x_2``, ``x_3``)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return base if n == 1 else f"{base}_{n}"


def expand_inputs(inputs: Iterable[str]) -> Iterator[tuple[str, str | None]]:
    """Yield ``(path, id_base)`` for each file (folders recursively, sorted); ``-`` is stdin.

    Hidden files and folders (names starting with a dot) inside folders are skipped; a
    symlinked folder is followed, once (a link back into a folder already walked is not);
    a path that does not exist is yielded as is, so that it becomes an error record.
    """
    for raw in inputs:
        if raw == "-":
            yield "-", "stdin"
            continue
        path = Path(raw)
        if path.is_dir():
            files = []
            seen = {os.path.realpath(path)}
            for root, dirs, names in os.walk(path, followlinks=True):
                kept = []
                for d in sorted(d for d in dirs if not d.startswith(".")):
                    real = os.path.realpath(os.path.join(root, d))
                    if real not in seen:  # a link cycle or a second way into one folder
                        seen.add(real)
                        kept.append(d)
                dirs[:] = kept
                for name in names:
                    if not name.startswith("."):
                        files.append(Path(root) / name)
            for f in sorted(files, key=lambda p: p.relative_to(path).as_posix()):
                rel = f.relative_to(path).with_suffix("")
                yield str(f), "__".join(rel.parts)
        else:
            yield raw, path.stem if path.suffix else path.name


def read_inputs(
    inputs: Iterable[str],
    *,
    lang: str | None = None,
    input_format: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Document | ErrorRecord]:
    """Read every input lazily, yielding a `Document` or an `ErrorRecord` for each article.

    ``input_format`` is ``auto`` (by suffix: .jsonl/.ndjson are JSONL, anything else is
    one text document; stdin is JSONL when its first non-blank byte is ``{``), ``txt`` or
    ``jsonl``. ``lang`` forces the language of every document.
    """
    new_id = _IdAllocator()
    for path, base in expand_inputs(inputs):
        if path == "-":
            stream = stdin if stdin is not None else (
                sys.stdin.buffer if sys.stdin is not None else None)
            if stream is None:  # `lintas run - <&-`: no standard input at all
                yield ErrorRecord(source="<stdin>", stage="read",
                                  error="[L004] standard input is closed")
                continue
            yield from _read_stdin(stream, new_id, lang, input_format, max_bytes)
            continue
        source = shown_path(path)
        special = _special_file(path)
        if special:
            # never opened: a FIFO without a writer would block the run for ever
            yield ErrorRecord(source=source, stage="read",
                              error=f"[L004] not a regular file ({special})")
            continue
        fmt = input_format
        if fmt == "auto":
            fmt = "jsonl" if path.lower().endswith(JSONL_SUFFIXES) else "txt"
        if fmt == "jsonl":
            try:
                with open(path, "rb") as fh:
                    yield from _read_jsonl(fh, source, base or "doc", new_id, lang, max_bytes)
            except OSError as exc:
                yield ErrorRecord(source=source, stage="read", error=_os_error(exc))
        else:
            yield _read_text_file(path, source, base or "doc", new_id, lang, max_bytes)


def _special_file(path: str) -> str | None:
    """What kind of special file ``path`` is (FIFO, socket, device), else None (a regular
    file, or a path that does not exist: reading it gives the error)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return None


def _os_error(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def shown_path(path: str) -> str:
    """``path`` as records show it: a file name that is not UTF-8 (Python keeps its bytes
    as lone surrogates) gets ``\\xff`` escapes, as no UTF-8 output can hold the bytes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read_text_file(path: str, source: str, base: str, new_id: _IdAllocator, lang: str | None,
                    max_bytes: int) -> Document | ErrorRecord:
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            # Checked before reading, so a huge file never enters memory.
            raise InputError(f"{size} bytes is larger than --max-bytes {max_bytes}")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return ErrorRecord(source=source, stage="read", error=_os_error(exc))
    except InputError as exc:
        return ErrorRecord(source=source, stage="read", error=str(exc))
    return _text_document(data, source, base, new_id, lang)


def _text_document(data: bytes, source: str, base: str, new_id: _IdAllocator,
                   lang: str | None) -> Document | ErrorRecord:
    """One whole input as a document (decoded, with a note on its encoding), or an error."""
    try:
        text, note = decode_bytes(data)
    except InputError as exc:
        return ErrorRecord(source=source, stage="read", error=str(exc))
    doc = Document(doc_id=new_id(safe_id(base)), source=source, text=text, lang_hint=lang)
    if note:
        doc.notes.append(f"decoded from {note}")
    return doc


def _read_stdin(stream: BinaryIO, new_id: _IdAllocator, lang: str | None, fmt: str,
                max_bytes: int) -> Iterator[Document | ErrorRecord]:
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[type-var]  # to sniff without losing
    if fmt == "auto":
        head = stream.peek(4096)
        fmt = "jsonl" if head.lstrip().startswith(b"{") else "txt"
    if fmt == "jsonl":
        yield from _read_jsonl(stream, "<stdin>", "stdin", new_id, lang, max_bytes)
        return
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield ErrorRecord(source="<stdin>", stage="read",
                          error=f"[L004] standard input is larger than --max-bytes {max_bytes}")
        return
    yield _text_document(data, "<stdin>", "stdin", new_id, lang)


def _read_jsonl(fh: BinaryIO, source: str, base: str, new_id: _IdAllocator,
                lang: str | None, max_bytes: int) -> Iterator[Document | ErrorRecord]:
    for lineno, raw in enumerate(_bounded_lines(fh, max_bytes), start=1):
        if raw is None:
            yield ErrorRecord(source=source, stage="read", line=lineno,
                              error=f"[L004] line longer than --max-bytes {max_bytes}")
            continue
        if not raw.strip():
            continue  # blank lines separate nothing and are not articles
        try:
            yield _jsonl_document(raw, source, base, lineno, new_id, lang)
        except InputError as exc:
            yield ErrorRecord(source=source, stage="read", line=lineno, error=str(exc),
                              doc_id=_line_id(raw))


def _line_id(raw: bytes) -> str | None:
    """The ``id`` of a JSONL line that could not become a document, when it has one, so
    that its error record says which article it was."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    raw_id = obj.get("id") if isinstance(obj, dict) else None
    return safe_id(str(raw_id)) if raw_id not in (None, "") else None


def _bounded_lines(fh: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of ``fh``; a line over ``max_bytes`` is skipped in pieces and yields None."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line without keeping it
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


def _check_unicode(value: object, key: str) -> None:
    """JSON may escape a lone surrogate (``"\\ud800"``), which is no character and cannot
    be written as UTF-8: such a line is an error record, not a crash at output."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"'{key}' holds a lone surrogate (U+{ord(value[exc.start]):04X} "
                             f"at character {exc.start}), which is not Unicode text")


def _jsonl_document(raw: bytes, source: str, base: str, lineno: int,
                    new_id: _IdAllocator, lang: str | None) -> Document:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"line is not UTF-8 ({exc.reason} at byte {exc.start})")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply")
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}")
    for key in ("text", "id", "title", "url", "published", "lang"):
        _check_unicode(obj.get(key), key)
    text = obj.get("text")
    if text is None:
        raise InputError("no 'text' field")
    if not isinstance(text, str):
        raise InputError(f"'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError("empty input: 'text' is blank")
    raw_id = obj.get("id")
    id_base = safe_id(str(raw_id)) if raw_id not in (None, "") else f"{safe_id(base)}_L{lineno}"
    meta: dict[str, str | None] = {}
    for key in ("title", "url", "published"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"'{key}' must be a string, got {type(value).__name__}")
        meta[key] = value
    doc_lang = lang or obj.get("lang") or None
    if doc_lang is not None and not (isinstance(doc_lang, str) and LANG_CODE.fullmatch(doc_lang)):
        raise InputError(f"'lang' must be an ISO 639 code such as 'id' or 'bg', got {doc_lang!r}")
    return Document(doc_id=new_id(id_base), source=f"{source}:{lineno}", text=text,
                    lang_hint=doc_lang, title=meta["title"], url=meta["url"],
                    published=meta["published"])
