"""`--engine ray` on a local Ray cluster that the test starts: the same bytes as one local
worker, also when an actor is killed in the middle of the run, and into an --out-dir."""

from __future__ import annotations

import io
import os
import signal

import pytest

from conftest import SEEDS, write
from pipeline.core.core import PipelineConfig
from pipeline.core.runner import run, run_to_folder

ray = pytest.importorskip("ray")


def _plain(inputs: list[str]) -> str:
    out = io.StringIO()
    run(inputs, out, progress=False)
    return out.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    for k in range(3):
        for seed in sorted(SEEDS.glob("*.txt")):
            write(folder / f"{k}_{seed.name}", seed.read_text(encoding="utf-8"))
    # sorted sixth, so in the second batch of four: the second actor's first batch, which
    # the long document keeps busy for seconds after the first batch's results are back
    seed = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    write(folder / "0_004a_long.txt", "\n\n".join([seed] * 40))
    write(folder / "bad.jsonl", '{"id": "x", "text": "Tokayev tiba di Moskow."}\n{oops\n')
    return [str(folder)]


def test_ray_actors_write_the_bytes_of_one_local_worker_even_when_one_is_killed(corpus, tmp_path):
    """Two actors on a local Ray; one is killed with SIGKILL after the first results.
    Ray restarts it, the batches it held run again alone, and the output is byte for byte
    the local run's; an --out-dir run on Ray joins into the same bytes too."""
    from pipeline.core.engine_ray import RayEngine
    from pipeline.io.reader import read_inputs
    from pipeline.core.runner import BATCH_SIZE

    expected = _plain(corpus)
    engine = RayEngine(PipelineConfig(), workers=2)
    try:
        pids = ray.get([a.pid.remote() for a in engine.actors])
        stream = engine.stream(read_inputs(corpus), batch_size=BATCH_SIZE // 4)
        texts = [next(stream)[0]]
        os.kill(pids[1], signal.SIGKILL)  # the other actor dies inside its first batch
        texts += [text for text, *_ in stream]
        assert "".join(texts) == expected
        assert engine._spare is not None  # the killed actor's batches did run again
        assert ray.get(engine.actors[1].pid.remote()) != pids[1]  # Ray restarted it
    finally:
        engine.shutdown()
    out = io.StringIO()
    summary = run(corpus, out, progress=False, engine="ray", workers=2)
    assert out.getvalue() == expected and (summary.documents, summary.errors) == (17, 1)
    run_to_folder(corpus, tmp_path / "out", engine="ray", workers=2, shard_size=4,
                  progress=False)
    parts = sorted((tmp_path / "out").glob("part-*.jsonl"))
    assert len(parts) == 5 and "".join(p.read_text(encoding="utf-8") for p in parts) == expected


def test_a_batch_whose_rerun_dies_too_becomes_error_records():
    """The spare actor that reruns a failed batch dies as well: the batch's inputs become
    error records (stage worker), and the pool goes on."""
    from pipeline.core.document import Document
    from pipeline.core.engine_ray import RayEngine

    engine = RayEngine(PipelineConfig(stages=("clean",)), workers=1)
    try:
        docs = [Document(f"d{k}", "t", f"Teks {k}.") for k in range(3)]
        out = list(engine.stream(docs, batch_size=1))
        assert [t.count('"type":"document"') for t, *_ in out] == [1, 1, 1]
        engine._spare = engine.new_actor(num_cpus=0)
        ray.kill(engine._spare, no_restart=True)
        out = list(engine.alone(docs[:2]))
        assert [t.count('"stage":"worker"') for t, *_ in out] == [1, 1]
        assert "worker process died" in out[0][0] and out[0][1:] == (0, 1, 1)
        assert len(list(engine.stream(docs, batch_size=2))) == 3
    finally:
        engine.shutdown()

