"""`lintas train ner` and `lintas evaluate ner` on small files written here."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app
from conftest import write
from pipeline.evaluation.evaluate import as_documents, evaluate
from pipeline.training.ner_data import read_examples

runner = CliRunner()

SENTENCES = [
    ("Presiden Joko Widodo bertemu Tokayev di Astana .", ["O", "B-PER", "I-PER", "O", "B-PER", "O", "B-LOC", "O"]),
    ("Pertamina menandatangani kontrak dengan Rosatom .", ["B-ORG", "O", "O", "O", "B-ORG", "O"]),
    ("Menteri Bahlil berkunjung ke Jepang kemarin .", ["O", "B-PER", "O", "O", "B-LOC", "O", "O"]),
    ("Bank Indonesia menaikkan suku bunga di Jakarta .", ["B-ORG", "I-ORG", "O", "O", "O", "O", "B-LOC", "O"]),
    ("Sri Mulyani mengatakan ekonomi Korea Selatan tumbuh .", ["B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC", "O", "O"]),
]


def conll(sentences) -> str:
    return "\n\n".join("\n".join(f"{w}\t{t}" for w, t in zip(s.split(), tags))
                       for s, tags in sentences) + "\n"


def test_train_then_evaluate_a_tiny_model(tmp_path):
    train = write(tmp_path / "train.txt", conll(SENTENCES * 4))
    dev = write(tmp_path / "dev.txt", conll(SENTENCES[:3]))
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "ner", "--lang", "id", "--data", str(train),
                                 "--dev", str(dev), "--out", str(out), "--max-steps", "30"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert record["train_docs"] == 20 and record["dev_docs"] == 3 and record["seed"] == 0
    assert (out / "ner").is_dir() and (out / "config.cfg").exists()

    scored = evaluate("id", [str(dev)], model=out, backends=("spacy",))
    assert scored["gold_entities"] == 7
    for s in [*scored["per_label"].values(), scored["overall"]]:
        assert 0.0 <= s["f"] <= 1.0
    assert scored["overall"]["tp"] + scored["overall"]["fn"] == 7

    table = runner.invoke(app, ["evaluate", "ner", "--lang", "id", "--data", str(dev),
                                "--model", str(out), "--backends", "spacy"])
    assert table.exit_code == 0, table.output
    assert "overall" in table.output and "PER" in table.output

    saved = runner.invoke(app, ["evaluate", "ner", "--lang", "id", "--data", str(dev),
                                "--model", str(out), "--backends", "spacy", "--save"])
    assert saved.exit_code == 0, saved.output
    evals = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert len(evals) == 1 and evals[0]["overall"] == scored["overall"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"**{scored['overall']['f']:.3f}**" in card and "lintas train ner --lang id" in card


def test_gold_offsets_survive_packing_into_documents(tmp_path):
    dev = write(tmp_path / "dev.txt", conll(SENTENCES))
    docs = as_documents(read_examples(dev), "id", per_doc=2)
    assert len(docs) == 3
    for doc, gold in docs:
        for s, e, _ in gold:
            assert doc.text[s:e].strip() == doc.text[s:e] and doc.text[s:e][0].isupper()
    first_doc, first_gold = docs[0]
    assert {first_doc.text[s:e] for s, e, _ in first_gold} == {
        "Joko Widodo", "Tokayev", "Astana", "Pertamina", "Rosatom"}


def test_evaluate_gazetteer_alone_on_places(tmp_path):
    dev = write(tmp_path / "dev.txt", conll(SENTENCES))
    scored = evaluate("id", [str(dev)], backends=("gazetteer",))
    loc = scored["per_label"]["LOC"]
    assert loc["tp"] == 4 and loc["fn"] == 0  # Astana, Jepang, Jakarta, Korea Selatan
    assert scored["per_label"]["PER"]["tp"] == 0
    assert scored["documents"] == 1 and scored["sentences_per_doc"] == 40
    alone = evaluate("id", [str(dev)], backends=("gazetteer",), sentences_per_doc=1)
    assert alone["documents"] == len(SENTENCES) > 1
    assert alone["per_label"]["LOC"] == loc  # the same spans, a sentence per document


RAW_CONLLU = """# sent_id = 1
# text = Menteri Energi Kazakhstan bertemu investor dari Korea Selatan di Astana.
1\tMenteri\tmenteri\tNOUN\t_\t_\t0\troot\t_\t_

# sent_id = 2
# text = Pertamina dan Rosatom membahas pasokan uranium untuk pembangkit listrik.
1\tPertamina\tPertamina\tPROPN\t_\t_\t0\troot\t_\t_
"""
RAW_TAGGED = "Presiden\tNNP\nJoko\tNNP\nWidodo\tNNP\nbertemu\tVB\nTokayev\tNNP\ndi\tIN\nAstana\tNNP\n.\tSYM\n\n"
RAW_LINES = "Harga minyak dunia naik tajam setelah pengumuman OPEC kemarin sore.\n\n" \
            "Bank Indonesia menaikkan suku bunga di Jakarta .\n"


def test_raw_text_formats(tmp_path):
    from pathlib import Path

    from pipeline.training.pretrain import raw_texts

    conllu = write(tmp_path / "a.conllu", RAW_CONLLU)
    tagged = write(tmp_path / "b.txt", RAW_TAGGED * 2)
    lines = write(tmp_path / "c.txt", RAW_LINES)
    assert list(raw_texts(Path(conllu)))[1].startswith("Pertamina dan Rosatom")
    assert list(raw_texts(Path(tagged))) == ["Presiden Joko Widodo bertemu Tokayev di Astana ."] * 2
    assert len(list(raw_texts(Path(lines)))) == 2
    assert list(raw_texts(tmp_path))  # a folder: its .txt files, line by line


def test_pretrain_tok2vec_then_train_from_it(tmp_path):
    raw = write(tmp_path / "raw.txt", RAW_LINES + "Presiden Joko Widodo bertemu Tokayev  di Astana.\n")
    conllu = write(tmp_path / "raw.conllu", RAW_CONLLU)
    dev = write(tmp_path / "dev.txt", conll(SENTENCES[:3]))
    train = write(tmp_path / "train.txt", conll(SENTENCES * 4))
    pre = tmp_path / "pre"
    result = runner.invoke(app, ["train", "tok2vec", "--lang", "id", "--text", str(raw),
                                 "--text", f"{conllu}*3", "--exclude", str(dev),
                                 "--out", str(pre), "--epochs", "1"])
    assert result.exit_code == 0, result.output
    info = json.loads((pre / "pretraining.json").read_text(encoding="utf-8"))
    # the line identical to a dev sentence is left out; the .conllu texts count 3 times
    assert info["excluded"] == 1 and info["texts"] == 2 + 3 * 2
    assert (pre / "model-last.bin").stat().st_size > 100_000
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "ner", "--lang", "id", "--data", str(train),
                                 "--dev", str(dev), "--out", str(out), "--max-steps", "10",
                                 "--init-tok2vec", str(pre / "model-last.bin")])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert record["init_tok2vec"]["weights"] == "model-last.bin"
    assert record["init_tok2vec"]["epochs"] == 1


def test_evaluate_refuses_a_missing_model_or_data(tmp_path):
    dev = write(tmp_path / "dev.txt", conll(SENTENCES))
    for backends, kind in (("spacy,gazetteer", "spacy"), ("transformer,gazetteer", "transformer")):
        no_model = runner.invoke(app, ["evaluate", "ner", "--lang", "id", "--data", str(dev),
                                       "--backends", backends, "--model", str(tmp_path / "x")])
        assert no_model.exit_code == 2 and f"no {kind} model" in no_model.output
    no_data = runner.invoke(app, ["evaluate", "ner", "--lang", "id", "--data",
                                  str(tmp_path / "missing.txt")])
    assert no_data.exit_code == 2 and "no such file" in no_data.output


def test_trained_model_loads_with_lintas_tokens(tmp_path):
    """Trained on pre-tokenized text, the saved model tokenizes raw text as lintas does."""
    import spacy

    from pipeline.text.blank import blank_pipeline

    train = write(tmp_path / "train.txt", conll(SENTENCES * 2))
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "ner", "--lang", "id", "--data", str(train),
                                 "--dev", str(train), "--out", str(out), "--max-steps", "5"])
    assert result.exit_code == 0, result.output
    assert "lintas.Tokenizer.v1" in (out / "config.cfg").read_text(encoding="utf-8")
    text = "Presiden Joko Widodo (Jokowi) bertemu Tokayev, kemarin.\n\nDi Astana."
    doc = spacy.load(out)(text)
    expected = [t.text for t in blank_pipeline("id").make_doc(text) if not t.is_space]
    assert [t.text for t in doc] == expected and "(" in expected and "," in expected


def test_models_in_members_vote_with_the_main_model(tmp_path):
    """With `vote`, a model folder's members/ are loaded with it and vote; identical members
    change nothing; without it (the default) the main model runs alone."""
    import shutil

    from pipeline.backends.ner_spacy import SpacyNer

    train = write(tmp_path / "train.txt", conll(SENTENCES * 4))
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "ner", "--lang", "id", "--data", str(train),
                                 "--dev", str(train), "--out", str(out), "--max-steps", "30"])
    assert result.exit_code == 0, result.output
    alone = evaluate("id", [str(train)], model=out, backends=("spacy",))
    for name in ("seed-1", "seed-2"):
        shutil.copytree(out, tmp_path / "copy" / name)
    shutil.move(str(tmp_path / "copy"), str(out / "members"))
    voted = evaluate("id", [str(train)], model=out, backends=("spacy",), vote=True)
    assert voted["overall"] == alone["overall"]

    backend = SpacyNer(model_dir=str(out), vote=True)
    backend.load("id")
    assert backend.version("id").endswith("(vote of 3)")
    single = SpacyNer(model_dir=str(out))
    single.load("id")
    assert "vote" not in single.version("id")


def test_the_cli_default_packing_is_the_evaluations():
    import cli
    from pipeline.evaluation.evaluate import SENTENCES_PER_DOC

    assert cli.SENTENCES_PER_DOC == SENTENCES_PER_DOC


def test_rule_ablation_scores_as_evaluate_does(tmp_path):
    """`pipeline.evaluation.evaluate_rules` runs the backends once and the rules per configuration:
    its shipped and no-rules configurations score as `lintas evaluate ner` does."""
    from pipeline.evaluation.evaluate_rules import ALL, NONE, SHIPPED, ablate, effects
    from pipeline.stages.ner_rule_stage import RULES

    dev = write(tmp_path / "dev.txt", conll(SENTENCES))
    result = ablate("id", str(dev))
    assert set(result) == {NONE, SHIPPED, ALL} | {f"-{name}" for name in RULES}
    assert result[SHIPPED]["overall"] == evaluate("id", [str(dev)])["overall"]
    assert result[NONE]["overall"] == evaluate("id", [str(dev)], rules=False)["overall"]
    assert result[SHIPPED]["overall"]["tp"] >= 8  # the shipped model reads these names
    assert set(effects(result)) == set(RULES)
