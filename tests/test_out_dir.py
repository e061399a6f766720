"""Resumable output folders (`lintas run --out-dir`): parts, manifest, journal, resume,
`lintas status`, `lintas merge` and `lintas link` on a folder."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import ROOT, SEEDS, write
from pipeline.core.core import PipelineConfig
from pipeline.core.errors import FolderError
from pipeline.core.runner import run, run_to_folder
from pipeline.io.shards import JOURNAL, LOCK, MANIFEST, OutFolder, read_state

# the reader and the cleaner only: these tests are about the folder, not the stages
LIGHT = PipelineConfig(stages=("clean",))
cli = CliRunner()


def _corpus(folder: Path, n: int = 11) -> Path:
    for k in range(n):
        write(folder / f"d{k:02d}.txt", f"Dokumen {k}: Kazakhstan mengekspor minyak.")
    write(folder / "zz.jsonl", '{"id": "a", "text": "Satu."}\n{oops\n{"id": "b", "text": "Dua."}\n')
    return folder


def _plain(inputs: list[str], config: PipelineConfig = LIGHT) -> bytes:
    out = io.StringIO()
    run(inputs, out, config=config, progress=False)
    return out.getvalue().encode("utf-8")


def _parts(out_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out_dir.glob("part-*.jsonl")))


def test_parts_join_into_the_plain_output_and_a_second_run_does_nothing(tmp_path):
    inputs = [str(_corpus(tmp_path / "in"))]
    out_dir = tmp_path / "out"
    summary = run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    # 11 texts + 3 JSONL lines (one malformed) = 14 inputs in parts of 4
    assert sorted(p.name for p in out_dir.iterdir()) == [
        JOURNAL, LOCK, MANIFEST, "part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl",
        "part-00003.jsonl"]
    assert _parts(out_dir) == _plain(inputs)
    assert (summary.inputs, summary.documents, summary.errors) == (14, 13, 1)
    journal = [json.loads(line) for line in (out_dir / JOURNAL).read_text().splitlines()]
    assert [e.get("inputs") for e in journal] == [4, 4, 4, 2, 14]
    assert journal[-1] == {"complete": True, "inputs": 14, "parts": 4}
    manifest = json.loads((out_dir / MANIFEST).read_text())
    assert manifest["command"]["shard_size"] == 4
    assert {f["path"].rsplit("/", 1)[-1] for f in manifest["files"]} >= {"d00.txt", "zz.jsonl"}
    assert "ner-xx" in manifest["models"] and manifest["libraries"]["spacy"]
    before = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()}
    again = run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    assert (again.inputs, again.resumed, again.errors) == (14, 14, 1)
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()} == before


def test_resume_cuts_a_torn_journal_line_rewrites_damaged_parts_and_deletes_strays(tmp_path):
    inputs = [str(_corpus(tmp_path / "in"))]
    out_dir = tmp_path / "out"
    run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    journal = out_dir / JOURNAL
    lines = journal.read_text().splitlines(keepends=True)
    # a crash while the third part's journal line was written: half a line, no "complete"
    journal.write_text("".join(lines[:2]) + lines[2][:30])
    with open(out_dir / "part-00001.jsonl", "ab") as fh:
        fh.write(b"damage\n")  # a part that no longer matches its journal line
    (out_dir / "part-00002.jsonl").rename(out_dir / "part-00002.jsonl.tmp")
    write(out_dir / "part-00003.jsonl", "not journaled\n")
    state = read_state(out_dir)
    assert sorted(state.parts) == [0] and len(state.problems) == 2
    code = cli.invoke(app, ["status", str(out_dir)])
    assert code.exit_code == 1 and "torn line" in code.output and "part-00001" in code.output
    summary = run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    assert summary.resumed == 4 and summary.inputs == 14
    assert _parts(out_dir) == _plain(inputs)
    assert not list(out_dir.glob("*.tmp"))
    assert read_state(out_dir).is_complete()
    code = cli.invoke(app, ["status", str(out_dir), "--json"])
    info = json.loads(code.output)
    assert code.exit_code == 0 and info["complete"] and info["inputs"] == 14


def test_a_folder_made_by_another_command_is_refused_naming_the_difference(tmp_path):
    folder = _corpus(tmp_path / "in")
    out_dir = tmp_path / "out"
    run_to_folder([str(folder)], out_dir, config=LIGHT, shard_size=4, progress=False)
    with pytest.raises(FolderError, match=r"command.lang: null in the folder, \"id\" now"):
        run_to_folder([str(folder)], out_dir, config=LIGHT, shard_size=4, lang="id")
    with pytest.raises(FolderError, match=r"config.stages"):
        run_to_folder([str(folder)], out_dir, shard_size=4, progress=False)
    time.sleep(0.01)
    write(folder / "d03.txt", "Dokumen 3 diubah.")
    write(folder / "new.txt", "Dokumen baru.")
    with pytest.raises(FolderError) as exc:
        run_to_folder([str(folder)], out_dir, config=LIGHT, shard_size=4, progress=False)
    assert "d03.txt: changed (mtime_ns" in str(exc.value) and "new.txt: new" in str(exc.value)
    # not a lintas folder; stdin cannot be read twice
    write(tmp_path / "other" / "notes.txt", "mine")
    with pytest.raises(FolderError, match="not a lintas output folder"):
        run_to_folder([str(folder)], tmp_path / "other", config=LIGHT)
    with pytest.raises(FolderError, match="stdin"):
        run_to_folder(["-"], tmp_path / "x", config=LIGHT)
    with pytest.raises(FolderError, match="inside the input folder"):
        run_to_folder([str(tmp_path)], tmp_path / "in" / "out", config=LIGHT)
    proc = cli.invoke(app, ["run", str(folder), "--out-dir", str(tmp_path / "other")])
    assert proc.exit_code == 2 and "[L030]" in proc.output


def test_merge_and_link_read_a_complete_folder_and_refuse_an_unfinished_one(tmp_path):
    inputs = [str(_corpus(tmp_path / "in"))]
    out_dir = tmp_path / "out"
    run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    merged = tmp_path / "merged.jsonl"
    assert cli.invoke(app, ["merge", str(out_dir), "-o", str(merged)]).exit_code == 0
    assert merged.read_bytes() == _plain(inputs)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(merged.read_bytes())
    for src, dst in ((plain, "a.jsonl"), (out_dir, "b.jsonl")):
        assert cli.invoke(app, ["link", str(src), "-o", str(tmp_path / dst)]).exit_code == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    (out_dir / "part-00002.jsonl").unlink()
    for cmd in (["merge", str(out_dir)], ["link", str(out_dir), "-o", str(tmp_path / "c")]):
        proc = cli.invoke(app, cmd)
        assert proc.exit_code == 2 and "not a complete run" in proc.output, proc.output
    assert not (tmp_path / "c").exists()


def test_a_stopped_run_keeps_whole_parts_only_and_resumes(tmp_path, monkeypatch):
    """A signal mid-run: the part being written is dropped whole (no temp file left), the
    journal is not marked complete, and the same call finishes the folder."""
    from pipeline.core import runner

    inputs = [str(_corpus(tmp_path / "in"))]
    out_dir = tmp_path / "out"
    real = runner.record_lines
    seen = []

    def stop_at_six(records, validate):
        seen.append(1)
        if len(seen) == 6:
            os.kill(os.getpid(), signal.SIGTERM)  # the run's own handler: stop after this one
        return real(records, validate)

    monkeypatch.setattr(runner, "record_lines", stop_at_six)
    summary = run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    monkeypatch.setattr(runner, "record_lines", real)
    assert summary.stopped_by == "SIGTERM"
    assert sorted(p.name for p in out_dir.glob("part-*")) == ["part-00000.jsonl"]
    assert summary.inputs == summary.documents == 4  # what is in the folder, not the 6 read
    assert not read_state(out_dir).is_complete()
    summary = run_to_folder(inputs, out_dir, config=LIGHT, shard_size=4, progress=False)
    assert summary.resumed == 4 and _parts(out_dir) == _plain(inputs)


def test_kill_9_at_any_moment_then_resume_gives_the_plain_bytes(tmp_path):
    """The real pipeline on the sample articles, two workers, parts of two documents: the
    whole process group is killed with SIGKILL once parts are on disk, then the same
    command resumes. `cat part-*` equals `lintas run -o`."""
    folder = tmp_path / "in"
    for k in range(3):
        for seed in sorted(SEEDS.glob("*.txt")):
            write(folder / f"{k}_{seed.name}", seed.read_text(encoding="utf-8"))
    out_dir = tmp_path / "out"
    cmd = [sys.executable, "-m", "cli", "run", str(folder), "--out-dir", str(out_dir),
           "--shard-size", "2", "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, start_new_session=True)
    journal = out_dir / JOURNAL
    deadline = time.time() + 240
    while time.time() < deadline and (
            not journal.exists() or journal.read_text().count("\n") < 2):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    state = read_state(out_dir)
    assert 2 <= len(state.parts) < 8 and not state.is_complete()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "inputs were already written" in done.stderr
    assert _parts(out_dir) == _plain([str(folder)], PipelineConfig())


def test_a_second_run_on_a_folder_being_written_is_refused(tmp_path):
    """Two runs on one folder: the second would delete the first's temp files."""
    inputs = [str(_corpus(tmp_path / "in"))]
    from pipeline.io.manifest import make_manifest

    manifest = make_manifest(inputs, {"shard_size": 4}, LIGHT)
    first = OutFolder(tmp_path / "out", manifest, 4)
    with pytest.raises(FolderError, match="being written by another lintas run"):
        OutFolder(tmp_path / "out", manifest, 4)
    first.close()
    OutFolder(tmp_path / "out", manifest, 4).close()


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    """A file name with a byte that is no UTF-8 (a Latin-1 name): read as any other, its
    source escaped in the records and the manifest, and the folder resumable."""
    folder = tmp_path / "in"
    write(folder / "a.txt", "Tokayev tiba di Moskow.")
    (folder / os.fsdecode(b"b\xff.txt")).write_bytes(b"Putin di Jakarta.")
    out_dir = tmp_path / "out"
    summary = run_to_folder([str(folder)], out_dir, config=LIGHT, progress=False)
    assert (summary.documents, summary.errors) == (2, 0)
    records = [json.loads(line) for line in _parts(out_dir).decode("utf-8").splitlines()]
    assert records[1]["source"].endswith("b\\xff.txt") and records[1]["doc_id"] == "b"
    assert _parts(out_dir) == _plain([str(folder)])
    assert run_to_folder([str(folder)], out_dir, config=LIGHT, progress=False).resumed == 2
