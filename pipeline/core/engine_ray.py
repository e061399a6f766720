"""`lintas run --engine ray`: the pipeline in Ray actors, on this machine or a cluster.

Each actor builds the pipeline once, from the config (models are read from each node's
install, never passed through the object store), and turns a batch of inputs into the
JSONL text of each input with `pipeline.io.lines.record_lines`, the function local runs write
through, so that both engines write the same bytes. The driver reads the inputs in order
(document ids depend on everything read before them), keeps a bounded number of batches
in flight, and yields results in input order; the runner writes them to one file or to
the parts of an ``--out-dir`` folder, which therefore resumes like a local run.

An actor that dies (killed, out of memory, a node lost) is restarted by Ray and its
batches run again in the new process (``max_restarts`` / ``max_task_retries``); a batch
whose actor dies a second time becomes error records (stage ``worker``) and a fresh actor
takes the dead one's place.

Why not Ray Data: a Ray Data pipeline reads files on the workers, but a document's id
depends on every input read before it (``x``, ``x_2``), so reading would need a second
pass or the whole corpus in the object store. Reading on the driver costs little next to
the model: reading runs at hundreds of MB/s, a worker reads about 25 KB of news per second.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from pipeline.core.core import PipelineConfig, batches
from pipeline.core.document import Document, ErrorRecord
from pipeline.core.errors import MissingDependency

# Batches queued per actor: one running, one waiting, so an actor never idles on the driver.
IN_FLIGHT_PER_ACTOR = 2


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingDependency("Ray (for --engine ray)", 'pip install "lintas[ray]"') from exc
    return ray


class PipelineActor:
    """One Ray actor: the pipeline built once; batches in, each input's JSONL text out."""

    def __init__(self, config: PipelineConfig, validate: bool, threads: int) -> None:
        # the encoder's threads: the CPUs Ray gives this actor (set before onnxruntime loads)
        os.environ.setdefault("LINTAS_THREADS", str(threads))
        from pipeline.core.core import build_pipeline

        self.validate = validate
        self.nlp = build_pipeline(config)

    def run(self, batch: list[Document | ErrorRecord]) -> list[tuple[str, int, int, int]]:
        """Each input's JSONL text and counts (`pipeline.io.lines.record_lines`). The text of a
        sectioned document is read back from its temp file: an actor's files are on its
        own machine, so long documents are not memory-bounded under Ray."""
        from pipeline.io.lines import record_lines
        from pipeline.core.spool import SpooledText

        out = []
        for records in self.nlp.process_batch(batch):
            lines, documents, n_records, errors = record_lines(records, self.validate)
            out.append((lines.read() if isinstance(lines, SpooledText) else lines, documents,
                        n_records, errors))
        return out

    def pid(self) -> int:
        """The actor's process id (tests kill it)."""
        return os.getpid()


class RayEngine:
    """A pool of `PipelineActor`s on a Ray cluster: local (started here, ``num_cpus`` =
    workers) or the one at ``address``."""

    def __init__(self, config: PipelineConfig, workers: int, validate: bool = True,
                 address: str | None = None, cpus_per_actor: int = 1) -> None:
        ray = _ray()
        self.ray = ray
        self.started = False
        if not ray.is_initialized():
            # Ray's own start-up lines would mix with lintas' summary on stderr
            quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
            if address:
                ray.init(address=address, **quiet)
            else:
                ray.init(num_cpus=workers * cpus_per_actor, include_dashboard=False, **quiet)
            self.started = True
        # An actor that dies is restarted by Ray for the batches that come later; the
        # batches it held fail at once (no retry there) and each runs again alone (`alone`).
        self._remote = ray.remote(PipelineActor)
        self._options = {"num_cpus": cpus_per_actor, "max_restarts": -1, "max_task_retries": 0}
        self._args = (config, validate, cpus_per_actor)
        self.actors = [self.new_actor() for _ in range(workers)]
        self._spare: Any = None  # made on the first death: reruns failed batches one by one
        # a batch's result is lost with its actor, or with the node that held it
        self._lost = (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError)

    def new_actor(self, **options: Any) -> Any:
        """A new `PipelineActor` with the pool's options (``options`` override them)."""
        return self._remote.options(**{**self._options, **options}).remote(*self._args)

    def alone(self, batch: list[Document | ErrorRecord]) -> Iterator[tuple[str, int, int, int]]:
        """A batch whose actor died, run again with nothing else in flight; if that kills
        its actor too, its inputs become error records."""
        from pipeline.core.runner import lost_records
        from pipeline.io.lines import record_lines

        if self._spare is None:
            # zero CPUs: the pool's actors hold them all, and the spare only runs while
            # the driver waits, so it never competes with them for long
            self._spare = self.new_actor(num_cpus=0)
        try:
            yield from self.ray.get(self._spare.run.remote(batch))
        except self._lost:
            for records in lost_records(batch):
                lines, documents, n_records, errors = record_lines(records, validate=False)
                # error records are a list in memory, never spooled
                yield (lines if isinstance(lines, str) else lines.read(), documents, n_records,
                       errors)

    def stream(self, items: Iterable[Document | ErrorRecord],
               batch_size: int) -> Iterator[tuple[str, int, int, int]]:
        """Each input's JSONL text and counts, in input order."""
        pending: deque[tuple[list[Document | ErrorRecord], Any, int]] = deque()
        load = [0] * len(self.actors)
        limit = len(self.actors) * IN_FLIGHT_PER_ACTOR
        source = iter(batches(items, batch_size))
        while True:
            while len(pending) < limit:
                batch = next(source, None)
                if batch is None:
                    break
                k = min(range(len(self.actors)), key=load.__getitem__)  # least busy actor
                load[k] += 1
                pending.append((batch, self.actors[k].run.remote(batch), k))
            if not pending:
                return
            batch, ref, k = pending.popleft()
            load[k] -= 1
            try:
                out = self.ray.get(ref)
            except self._lost:
                yield from self.alone(batch)
            else:
                yield from out

    def results(self, items: Iterable[Document | ErrorRecord],
                batch_size: int) -> Generator[tuple[str, int, int, int], None, None]:
        """`stream`, then `shutdown` (also when the caller stops early and closes it)."""
        try:
            yield from self.stream(items, batch_size)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the actors, and the local cluster if this engine started it."""
        for actor in self.actors + ([self._spare] if self._spare is not None else []):
            self.ray.kill(actor)
        if self.started:
            self.ray.shutdown()
