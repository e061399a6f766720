"""Batch runs: inputs -> pipeline -> JSONL, in one process or N, with the same output.

Documents are read lazily in the main process and handed to workers with a bounded number
in flight, so memory does not grow with the corpus; results are written in input order.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO

from .core import Pipeline, PipelineConfig, batches, build_pipeline, stage_names
from .document import Document, ErrorRecord
from .reader import DEFAULT_MAX_BYTES, read_inputs
from .records import error_record
from .schema import validation_errors

# Batches in flight per worker: enough to keep workers busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
# Documents per batch through the stages.
BATCH_SIZE = 16

_worker_pipeline: Pipeline | None = None


@dataclass
class Summary:
    """Counts of a run, for the summary line and the exit code."""

    inputs: int = 0
    documents: int = 0
    records: int = 0
    errors: int = 0
    seconds: float = 0.0
    stopped_by: str | None = None  # "SIGINT" or "SIGTERM" when a signal ended the run early

    @property
    def ok(self) -> bool:
        """True when every input became a document."""
        return self.errors == 0

    def line(self) -> str:
        """The one-line summary printed on stderr at the end of a run."""
        rate = self.documents / self.seconds if self.seconds > 0 else 0.0
        stopped = (f"; stopped by {self.stopped_by} after the last whole document"
                   if self.stopped_by else "")
        return (f"lintas: {self.inputs} inputs, {self.documents} documents, "
                f"{self.records} records, {self.errors} errors in {self.seconds:.1f} s "
                f"({rate:.1f} docs/s){stopped}")


class _Stop:
    """SIGINT and SIGTERM, while a run writes, only ask it to stop after the input being
    written (``signal`` holds the name); the previous handlers come back at the end. Only
    in the main thread of the main process (where Python lets handlers be set)."""

    def __init__(self) -> None:
        self.signal: str | None = None
        self._old: dict[int, Any] = {}

    def _ask(self, signum: int, frame: Any) -> None:
        self.signal = signal.Signals(signum).name

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._ask)
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def _init_worker(config: PipelineConfig, workers: int) -> None:
    global _worker_pipeline
    # Ctrl-C reaches the whole process group: the main process decides when to stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the encoder's thread pool: the cores shared among the workers, unless the user chose
    os.environ.setdefault("LINTAS_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    _worker_pipeline = build_pipeline(config)


def _work(batch: list[Document | ErrorRecord]) -> list[list[dict[str, Any]]]:
    assert _worker_pipeline is not None
    return _worker_pipeline.process_batch(batch)


def process_stream(items: Iterable[Document | ErrorRecord], config: PipelineConfig,
                   workers: int = 1, batch_size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
    """Records per input in input order, computed in ``workers`` processes.

    Inputs go through the stages ``batch_size`` at a time (the NER model is faster on
    several documents at once); a worker receives a whole batch.
    """
    if workers <= 1:
        yield from build_pipeline(config).pipe(items, batch_size=batch_size)
        return
    pool = _Pool(config, workers)
    try:
        pending: deque[tuple[list[Document | ErrorRecord], Any]] = deque()
        limit = workers * IN_FLIGHT_PER_WORKER
        source = iter(batches(items, batch_size))
        while True:
            while len(pending) < limit:
                batch = next(source, None)
                if batch is None:
                    break
                pending.append((batch, pool.submit(batch)))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool("submitted to a broken pool")
                yield from future.result()
            except BrokenProcessPool:
                # a worker died (killed, out of memory, a crash in native code): every
                # batch in flight is lost with the pool. Each is run again, alone, in a
                # new pool; one that kills its worker when alone is tried once more, then
                # becomes error records.
                redo = [batch] + [b for b, _ in pending]
                pending.clear()
                for b in redo:
                    yield from pool.alone(b)
    finally:
        pool.shutdown()


class _Pool:
    """Worker processes that load the pipeline once; restartable after a worker died."""

    def __init__(self, config: PipelineConfig, workers: int) -> None:
        methods = mp.get_all_start_methods()
        # fork shares the already-imported libraries with the workers; spawn elsewhere.
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.config, self.workers = config, workers
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self.ctx, initializer=_init_worker,
                                   initargs=(self.config, self.workers))

    def submit(self, batch: list[Document | ErrorRecord]) -> Any:
        """The batch's future, or None when the pool is already broken."""
        try:
            return self.executor.submit(_work, batch)
        except BrokenProcessPool:
            return None

    def alone(self, batch: list[Document | ErrorRecord]) -> Iterator[list[dict[str, Any]]]:
        """The batch's records, run with nothing else in flight; after two deaths of its
        worker, error records."""
        for attempt in range(2):
            future = self.submit(batch)
            if future is None:
                self.restart()
                future = self.submit(batch)
            try:
                out = future.result()
            except BrokenProcessPool:
                self.restart()
                continue
            yield from out
            return
        yield from _lost(batch)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _lost(batch: list[Document | ErrorRecord]) -> Iterator[list[dict[str, Any]]]:
    """Error records for a batch whose worker died twice: every input is accounted for."""
    for item in batch:
        if isinstance(item, ErrorRecord):
            yield [error_record(item)]
        else:
            yield [error_record(ErrorRecord(
                source=item.source, stage="worker", doc_id=item.doc_id,
                error="[L029] the worker process died while reading this document's batch, "
                      "twice (killed, out of memory, or a crash in native code)"))]


def check_backends(config: PipelineConfig) -> None:
    """Load the configured backends now, so that a missing library stops the run at once
    with a message naming the fix, instead of failing every document."""
    from .backends import get_backend

    if "langid" in config.stages:
        get_backend("langid", config.langid_backend)
    if "ner" in stage_names(config):
        for name in config.ner_backends:
            get_backend("ner", name, **config.ner_options.get(name, {}))


def run(
    inputs: list[str],
    out: TextIO,
    *,
    config: PipelineConfig | None = None,
    lang: str | None = None,
    input_format: str = "auto",
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    validate: bool = True,
    progress: bool | None = None,
    stdin: BinaryIO | None = None,
    log: TextIO | None = None,
) -> Summary:
    """Process ``inputs`` and write lintas/1 JSONL to ``out``; returns the counts.

    ``progress=None`` shows a progress bar only when stderr is a terminal. With
    ``validate`` every record is checked against the JSON Schema before it is written
    (a record that fails is a bug in lintas: it is replaced by an error record).
    """
    config = config or PipelineConfig()
    check_backends(config)
    log = log or sys.stderr
    if progress is None:
        progress = log.isatty()
    summary = Summary()
    started = time.perf_counter()
    items = read_inputs(inputs, lang=lang, input_format=input_format, max_bytes=max_bytes,
                        stdin=stdin)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit="doc", file=log, dynamic_ncols=True, desc="lintas")
    with _Stop() as stop:
        for records in process_stream(items, config, workers=workers):
            summary.inputs += 1
            lines = []
            for rec in records:
                if validate:
                    problems = validation_errors(rec)
                    if problems:
                        rec = error_record(ErrorRecord(
                            source=str(rec.get("source", "")), stage="write",
                            doc_id=rec.get("doc_id"),
                            error=f"record failed schema validation: {problems[0]}"))
                lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
                summary.records += 1
                if rec["type"] == "document":
                    summary.documents += 1
                elif rec["type"] == "error":
                    summary.errors += 1
            # one write per input: a stop between two inputs leaves whole documents only
            out.write("\n".join(lines) + "\n")
            if bar is not None:
                bar.update(1)
            if stop.signal is not None:
                summary.stopped_by = stop.signal
                break
    out.flush()
    if bar is not None:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary
