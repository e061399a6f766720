"""Batch runs: inputs -> pipeline -> JSONL, in one process or N, with the same output.

Documents are read lazily in the main process and handed to workers with a bounded number
in flight, so memory does not grow with the corpus; results are written in input order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, TextIO

from pipeline.core.core import Pipeline, PipelineConfig, Records, batches, build_pipeline, stage_names
from pipeline.core.document import Document, ErrorRecord
from pipeline.io.lines import record_lines
from pipeline.io.reader import DEFAULT_MAX_BYTES, read_inputs
from pipeline.io.records import error_record
from pipeline.core.errors import FolderError
from pipeline.io.manifest import make_manifest
from pipeline.io.shards import DEFAULT_SHARD_SIZE, OutFolder, PartWriter
from pipeline.core.spool import (Lines, run_folder, spool_folder, use_folder, write_text)
from pipeline.backends import get_backend

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
    resumed: int = 0  # inputs of an --out-dir run that an earlier run had written

    def count(self, inputs: int, documents: int, records: int, errors: int) -> None:
        """Add inputs and their counts (negative: take a dropped part's back out)."""
        self.inputs += inputs
        self.documents += documents
        self.records += records
        self.errors += errors

    @property
    def ok(self) -> bool:
        """True when every input became a document."""
        return self.errors == 0

    def line(self) -> str:
        """The one-line summary printed on stderr at the end of a run."""
        rate = (self.inputs - self.resumed) / self.seconds if self.seconds > 0 else 0.0
        resumed = f"; {self.resumed} inputs were already written" if self.resumed else ""
        stopped = (f"; stopped by {self.stopped_by} after the last whole document"
                   if self.stopped_by else "")
        return (f"lintas: {self.inputs} inputs, {self.documents} documents, "
                f"{self.records} records, {self.errors} errors in {self.seconds:.1f} s "
                f"({rate:.1f} docs/s){resumed}{stopped}")


class _Stop:
    """SIGINT and SIGTERM, while a run writes, only ask it to stop after the input being
    written (``signal`` holds the name); the previous handlers come back at the end. Only
    in the main thread of the main process (where Python lets handlers be set)."""

    def __init__(self, handle: bool = True) -> None:
        self.signal: str | None = None
        self.handle = handle
        self._old: dict[int, Any] = {}

    def _ask(self, signum: int, frame: Any) -> None:
        self.signal = signal.Signals(signum).name

    def __enter__(self) -> _Stop:
        if self.handle and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._ask)
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def _init_worker(config: PipelineConfig, workers: int, spool: str | None) -> None:
    global _worker_pipeline
    use_folder(spool)  # the run's folder for the records of long documents
    # Ctrl-C reaches the whole process group: the main process decides when to stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the encoder's thread pool: the cores shared among the workers, unless the user chose
    os.environ.setdefault("LINTAS_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    _worker_pipeline = build_pipeline(config)


def _work(batch: list[Document | ErrorRecord]) -> list[Records]:
    assert _worker_pipeline is not None
    return _worker_pipeline.process_batch(batch)


def process_stream(items: Iterable[Document | ErrorRecord], config: PipelineConfig,
                   workers: int = 1, batch_size: int = BATCH_SIZE) -> Iterator[Records]:
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
                                   initargs=(self.config, self.workers, spool_folder()))

    def submit(self, batch: list[Document | ErrorRecord]) -> Any:
        """The batch's future, or None when the pool is already broken."""
        try:
            return self.executor.submit(_work, batch)
        except BrokenProcessPool:
            return None

    def alone(self, batch: list[Document | ErrorRecord]) -> Iterator[Records]:
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
        yield from lost_records(batch)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def lost_records(batch: list[Document | ErrorRecord]) -> Iterator[list[dict[str, Any]]]:
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
    if "langid" in config.stages:
        get_backend("langid", config.langid_backend)
    if "ner" in stage_names(config):
        for name in config.ner_backends:
            get_backend("ner", name, **config.ner_options.get(name, {}))


def _progress_bar(progress: bool | None, log: TextIO, initial: int = 0) -> Any:
    if progress is None:
        progress = log.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", file=log, dynamic_ncols=True, desc="lintas", initial=initial)


@dataclass
class Engine:
    """Where the pipeline runs: ``local`` processes (``workers`` of them) or ``ray`` actors
    (``workers`` of them, on the cluster at ``address``, or a local one started for the run)."""

    name: str = "local"
    workers: int = 1
    address: str | None = None


def _results(items: Iterable[Document | ErrorRecord], config: PipelineConfig, engine: Engine,
             validate: bool) -> Generator[tuple[Lines, int, int, int], None, None]:
    """Each input's JSONL text and counts, in input order, from the chosen engine (a Ray
    engine starts here, at once); a generator, closed when the run stops early."""
    if engine.name == "ray":
        from pipeline.core.engine_ray import RayEngine

        ray = RayEngine(config, engine.workers, validate=validate, address=engine.address)
        return ray.results(items, BATCH_SIZE)
    return (record_lines(records, validate)
            for records in process_stream(items, config, workers=engine.workers))


def _drive(items: Iterable[Document | ErrorRecord], config: PipelineConfig, engine: Engine,
           validate: bool, summary: Summary, bar: Any,
           write: Callable[[Lines, int, int, int], None]) -> None:
    """Run ``items`` through the pipeline and hand each input's lines to ``write``, in
    input order, until the end or a stop signal (after a whole input). Long documents'
    records pass through temp files in a folder of this run's own, removed at its end."""
    with run_folder():
        results = _results(items, config, engine, validate)
        # Under Ray the signals are Ray's: its driver ends the run at once (a SIGTERM that
        # the run's own handler took while blocked in `ray.get` left Ray's GCS dead and the
        # process hanging for 60 s); the part being written is then dropped as a temp file.
        try:
            with _Stop(handle=engine.name != "ray") as stop:
                for text, documents, n_records, errors in results:
                    summary.count(1, documents, n_records, errors)
                    # one write per input: a stop between two inputs leaves whole documents
                    write(text, documents, n_records, errors)
                    if bar is not None:
                        bar.update(1)
                    if stop.signal is not None:
                        summary.stopped_by = stop.signal
                        break
        finally:
            results.close()  # the engine's workers stop now, before their folder goes


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
    engine: str = "local",
    ray_address: str | None = None,
) -> Summary:
    """Process ``inputs`` and write lintas/1 JSONL to ``out``; returns the counts.

    ``progress=None`` shows a progress bar only when stderr is a terminal. With
    ``validate`` every record is checked against the JSON Schema before it is written.
    ``engine="ray"`` runs the pipeline in ``workers`` Ray actors (`pipeline.core.engine_ray`),
    on the cluster at ``ray_address`` or a local one; the output is the same bytes.
    """
    config = config or PipelineConfig()
    check_backends(config)
    log = log or sys.stderr
    summary = Summary()
    started = time.perf_counter()
    items = read_inputs(inputs, lang=lang, input_format=input_format, max_bytes=max_bytes,
                        stdin=stdin)
    bar = _progress_bar(progress, log)
    _drive(items, config, Engine(engine, workers, ray_address), validate, summary, bar,
           lambda lines, *counts: write_text(out, lines))
    out.flush()
    if bar is not None:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def run_to_folder(
    inputs: list[str],
    out_dir: Path,
    *,
    config: PipelineConfig | None = None,
    lang: str | None = None,
    input_format: str = "auto",
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    validate: bool = True,
    shard_size: int = DEFAULT_SHARD_SIZE,
    progress: bool | None = None,
    log: TextIO | None = None,
    engine: str = "local",
    ray_address: str | None = None,
) -> Summary:
    """Process ``inputs`` into the resumable folder ``out_dir`` (see `pipeline.io.shards`):
    parts of ``shard_size`` inputs, a manifest and a journal. Run again with the same
    arguments, it writes only the parts not yet done. Raises `FolderError` for a folder
    made by another command. The summary counts the whole run, parts done before included
    (``summary.resumed`` of its inputs)."""
    if "-" in inputs:
        raise FolderError("--out-dir needs inputs that can be read again when a run "
                          "resumes: not - (stdin)")
    out_real = os.path.realpath(out_dir)
    for raw in inputs:
        real = os.path.realpath(raw)
        if os.path.isdir(raw) and (out_real + os.sep).startswith(real.rstrip(os.sep) + os.sep):
            raise FolderError(f"--out-dir {out_dir} is inside the input folder {raw}: its "
                              "parts would be read as inputs; choose a folder outside it")
    config = config or PipelineConfig()
    check_backends(config)
    log = log or sys.stderr
    options = {"lang": lang, "format": input_format, "max_bytes": max_bytes,
               "validate": validate, "shard_size": shard_size}
    folder = OutFolder(Path(out_dir), make_manifest(inputs, options, config), shard_size)
    summary = Summary()
    for part in folder.state.parts.values():
        summary.count(part.inputs, part.documents, part.records, part.errors)
    summary.resumed = summary.inputs
    started = time.perf_counter()
    if folder.state.is_complete():
        folder.close()
        summary.seconds = time.perf_counter() - started
        return summary
    owners: deque[int] = deque()  # the part of each input handed to the pipeline, in order
    total = 0  # inputs read

    def todo() -> Iterator[Document | ErrorRecord]:
        # every input is read (doc_ids depend on all that came before), but only the
        # inputs of parts not yet written go through the pipeline
        nonlocal total
        for n, item in enumerate(read_inputs(inputs, lang=lang, input_format=input_format,
                                             max_bytes=max_bytes)):
            total = n + 1
            part = n // shard_size
            if not folder.done(part):
                owners.append(part)
                yield item

    current: PartWriter | None = None  # the part being written

    def write(text: Lines, documents: int, records: int, errors: int) -> None:
        nonlocal current
        part = owners.popleft()
        if current is None or current.part != part:
            current = folder.open_part(part)
        current.write(text, documents, records, errors)
        if current.inputs == shard_size:
            current.commit()
            current = None

    bar = _progress_bar(progress, log, initial=summary.inputs)
    try:
        _drive(todo(), config, Engine(engine, workers, ray_address), validate, summary, bar,
               write)
        if current is not None:
            if summary.stopped_by:
                current.discard()  # a part cut short: written whole on resume
                # the summary counts what is in the folder
                summary.count(*(-current.counts[k] for k in ("inputs", "documents",
                                                             "records", "errors")))
            else:
                current.commit()  # the last part, shorter than the others
        if not summary.stopped_by:
            folder.finish(total)
    finally:
        folder.close()  # the lock is held until the last part and the journal are written
    if bar is not None:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary
