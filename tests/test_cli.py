"""The command line, through typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import ROOT, SEEDS, run_records, write
from pipeline.io.schema import validation_errors
from texts import BG, ID

runner = CliRunner()


def test_help_reads_like_a_tool():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("run", "schema", "benchmark", "build-gazetteer"):
        assert word in result.output
    run_help = runner.invoke(app, ["run", "--help"])
    for opt in ("--output", "--lang", "--workers", "--langid", "--format", "Exit status"):
        assert opt in run_help.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("lintas 0.")


def test_run_seeds_to_file(tmp_path):
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["run", str(SEEDS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum(r["type"] == "document" for r in records) == 5
    assert all(validation_errors(r) == [] for r in records)
    assert "5 documents" in result.stderr and "0 errors" in result.stderr


def test_run_to_stdout_with_forced_language(tmp_path):
    f = write(tmp_path / "a.txt", BG)
    result = runner.invoke(app, ["run", str(f), "--lang", "ru"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout.splitlines()[0])
    assert doc["lang"] == "ru" and doc["lang_confidence"] == 1.0
    assert doc["extractors"]["langid"] == "given"


def test_exit_code_1_when_some_input_failed_but_others_written(tmp_path):
    write(tmp_path / "ok.txt", ID)
    write(tmp_path / "empty.txt", "")
    result = runner.invoke(app, ["run", str(tmp_path)])
    assert result.exit_code == 1
    types = [json.loads(line)["type"] for line in result.stdout.splitlines()]
    assert types.count("document") == 1 and types.count("error") == 1
    assert "1 errors" in result.stderr


def test_stdin_jsonl():
    data = json.dumps({"id": "x1", "text": ID}) + "\n"
    result = runner.invoke(app, ["run", "-"], input=data)
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["doc_id"] == "x1"


def test_usage_errors_exit_2():
    assert runner.invoke(app, ["run", str(SEEDS), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["run", str(SEEDS), "--langid", "nope"]).exit_code == 2
    assert runner.invoke(app, ["run", str(SEEDS), "--workers", "0"]).exit_code == 2
    assert runner.invoke(app, ["run", str(SEEDS), "--lang", "Indonesian"]).exit_code == 2
    assert runner.invoke(app, ["run", str(SEEDS), "--ner", "spacy,nope"]).exit_code == 2


def test_ner_backend_choice(tmp_path):
    f = write(tmp_path / "a.txt", ID)
    result = runner.invoke(app, ["run", str(f), "--ner", "gazetteer"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["extractors"]["ner"].startswith("lintas-gazetteer")
    assert {r["label"] for r in records[1:] if r["type"] == "entity"} == {"LOC"}


def test_vote_option_names_the_vote_in_the_records(tmp_path):
    f = write(tmp_path / "a.txt", ID)
    for args, expected in (([], False), (["--vote"], True)):
        result = runner.invoke(app, ["run", str(f), "--lang", "id", "--ner", "spacy,gazetteer",
                                     *args])
        assert result.exit_code == 0, result.output
        ner = json.loads(result.stdout.splitlines()[0])["extractors"]["ner"]
        assert ("(vote of 5)" in ner) is expected, ner
    # the vote is the spaCy models': unless they read first it is a usage error
    for ner in ("transformer,gazetteer", "transformer,spacy,gazetteer"):
        result = runner.invoke(app, ["run", str(f), "--ner", ner, "--vote"])
        assert result.exit_code == 2 and "--vote" in result.output


def test_schema_command_prints_the_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "lintas/1 record"


def test_console_script_end_to_end_without_a_terminal(tmp_path):
    # No progress bar when stderr is not a terminal: stderr holds only the summary line.
    out = tmp_path / "r.jsonl"
    proc = subprocess.run([sys.executable, "-m", "cli", "run", str(SEEDS), "-o", str(out),
                           "--workers", "2"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("lintas: 5 inputs, 5 documents")
    assert len(out.read_text(encoding="utf-8").splitlines()) > 5


def _lintas(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", "run", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, **kwargs)


def test_output_problems_are_usage_errors_and_a_closed_pipe_is_quiet(tmp_path):
    f = write(tmp_path / "a.txt", ID)
    proc = _lintas([str(f), "-o", str(tmp_path / "missing" / "r.jsonl")])
    assert proc.returncode == 2 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    proc = _lintas([str(f), "-o", "/dev/full"])  # a full disk
    assert proc.returncode == 2 and "No space left" in proc.stderr
    # `lintas run … | head -1`: the reader goes away after one line
    shell = f"{sys.executable} -m cli run {f} {SEEDS} | head -1 > /dev/null; " \
            "echo ${PIPESTATUS[0]} >&2"
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.stderr.strip() == "141", proc.stderr


def test_closed_stdin_is_an_error_record_and_the_other_inputs_are_read(tmp_path):
    import os

    f = write(tmp_path / "a.txt", ID)
    proc = _lintas([str(f), "-"], preexec_fn=lambda: os.close(0))
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records[0]["type"] == "document"
    assert records[-1]["type"] == "error" and "standard input is closed" in records[-1]["error"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_after_a_whole_document_and_prints_the_summary(tmp_path, workers):
    """SIGTERM in the middle of a run: the output holds whole documents only (each with
    all the records a full run gives it), the summary says so, and the status is 143."""
    import os
    import signal
    import time

    folder = tmp_path / "in"
    for k in range(12):
        for seed in sorted(SEEDS.glob("*.txt")):
            write(folder / f"{k:02d}_{seed.name}", seed.read_text(encoding="utf-8"))
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "cli", "run", str(folder), "-o", str(out),
                             "--workers", workers], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.1)  # until some documents are written
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    docs = [r["doc_id"] for r in records if r["type"] == "document"]
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and 0 < len(docs) < 60
    # whole documents: each has as many records as the same article gets in a full run
    full, _ = run_records([str(SEEDS)])
    per_seed = {}
    for r in full:
        per_seed[r["doc_id"]] = per_seed.get(r["doc_id"], 0) + 1
    got = {}
    for r in records:
        got[r["doc_id"]] = got.get(r["doc_id"], 0) + 1
    for doc_id, n in got.items():
        assert n == per_seed[doc_id.split("_", 1)[1]], doc_id
    assert os.path.getsize(out) > 0
