"""Mapping spans of a translation back to its source sentence (`pipeline.text.align`), on real
sentence pairs of NTREX-128 (newstest2019: English source, human Indonesian and Bulgarian
translations; CC BY-SA 4.0, Federmann, Kocmi and Xin 2022), read the other way round: the
Indonesian or Bulgarian sentence is the source, the English one its translation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.text.align import align_tokens, map_spans, name_match

EN = "During a town hall in Holyoke, Massachusetts, Warren confirmed she'd consider running."
BG = "По време на градски съвет в Холиоке, Масачузетс Уорън потвърди, че обмисля да се кандидатира."
EN_2 = ("Massachusetts Senator Elizabeth Warren said on Saturday she would take a \"hard look\" "
        "at running for president following the midterm elections.")
ID_2 = ("Pada hari Sabtu, Senator Massachusetts Elizabeth Warren mengatakan bahwa dia akan "
        "\"mencermati situasi\" saat mencalonkan diri sebagai presiden setelah pemilihan paruh "
        "waktu.")


def test_tokens_align_when_each_is_the_others_most_similar():
    src = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]])
    tgt = np.array([[0.0, 1.0], [1.0, 0.1]])
    # source 0 <-> target 1 and source 1 <-> target 0 are mutual; source 2's best (target
    # 1, or 0) prefers another source token
    assert align_tokens(src, tgt) == {(0, 1), (1, 0)}
    assert align_tokens(src[:0], tgt) == set()
    # a second round among the rows left: target 1's best (source 0) is taken by target 0,
    # so source 1 and target 1 align only in the second round
    src = np.array([[1.0, 0.0], [0.6, 0.8]])
    tgt = np.array([[1.0, 0.05], [0.9, 0.3]])
    assert align_tokens(src, tgt, rounds=1) == {(0, 0)}
    assert align_tokens(src, tgt, rounds=2) == {(0, 0), (1, 1)}


def test_names_that_survive_translation_are_found_as_they_are_or_folded():
    start, end = name_match(ID_2, "Elizabeth Warren")
    assert ID_2[start:end] == "Elizabeth Warren"
    # case and script folded: "Путин" is "Putin"
    text = "Президент Путин заявил, что переговоры продолжатся."
    start, end = name_match(text, "Putin")
    assert text[start:end] == "Путин"
    assert name_match(BG, "Warren") is None  # "Уорън" folds to "uoran": left to the alignment
    # a name's own end punctuation stays; a capitalised name is no lower-case word; a name
    # of no letters is none
    text = "Ia tiba di Washington D.C. pada Senin dan bertemu mereka."
    start, end = name_match(text, "D.C.")
    assert text[start:end] == "D.C."
    assert name_match(text, "Dan") is None and name_match(text, "€") is None


@pytest.fixture(scope="module")
def encoder():
    from pipeline.learned.encoder_runtime import OnnxEncoder
    from pipeline.lexicon.lexicons import models_dir

    return OnnxEncoder(models_dir() / "ner-xx")


def _states(encoder, text: str):
    (_, token_states), = encoder.spans_and_states([text], (encoder.info["hidden_layer"],))
    return token_states.enc, token_states.of(encoder.info["hidden_layer"])


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def test_names_in_another_script_map_by_word_alignment(encoder):
    """The names of the English sentence in the Bulgarian one: "Уорън" folds to "uoran",
    not "warren", so only the encoder's token states of the two sentences find it (its
    best match, "Маса", is taken by "Massachusetts": the second argmax round finds it)."""
    en_enc, en_states = _states(encoder, EN)
    bg_enc, bg_states = _states(encoder, BG)
    names = ["Holyoke", "Massachusetts", "Warren"]
    mapped = map_spans([(*_span(EN, n), None) for n in names], EN, en_enc, en_states,
                       BG, bg_enc, bg_states)
    got = [BG[m.start:m.end] if m else None for m in mapped]
    assert got == ["Холиоке", "Масачузетс", "Уорън"]
    assert mapped[2].how == "alignment"


def test_a_shared_identity_maps_a_name_spelt_otherwise(encoder):
    """"Germany" / "Jerman": no alike spelling; the gazetteer's key of the source's name is
    enough, and the alignment is not asked."""
    en = "The US stance has drawn backlash from Germany, which has reaffirmed its commitment."
    src = "Sikap AS ini telah menarik reaksi dari Jerman, yang telah menegaskan kembali komitmennya."
    en_enc, en_states = _states(encoder, en)
    src_enc, src_states = _states(encoder, src)
    (m,) = map_spans([(*_span(en, "Germany"), "loc:Q183")], en, en_enc, en_states,
                     src, src_enc, src_states, {"loc:Q183": _span(src, "Jerman")})
    assert (src[m.start:m.end], m.how) == ("Jerman", "gazetteer")


def test_mapped_spans_are_whole_words_of_the_source(encoder):
    en_enc, en_states = _states(encoder, EN_2)
    id_enc, id_states = _states(encoder, ID_2)
    spans = [(*_span(EN_2, w), None) for w in ("Senator", "president", "elections")]
    mapped = [m for m in map_spans(spans, EN_2, en_enc, en_states, ID_2, id_enc, id_states) if m]
    assert len(mapped) >= 2
    for m in mapped:
        assert m.start == 0 or not ID_2[m.start - 1].isalnum()
        assert m.end == len(ID_2) or not ID_2[m.end].isalnum()


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared/data/mt/ntrex").is_dir(),
                    reason="needs ../shared/data/mt/ntrex")
def test_the_ntrex_measurement_runs_through_lintas_run_stages():
    from pipeline.evaluation.evaluate_align import evaluate_alignment

    folder = Path(__file__).resolve().parents[2] / "shared/data/mt/ntrex"
    r = evaluate_alignment("bg", folder, limit=20)
    assert r["pairs"] == 20 and r["english_names"] > 10 and r["mapped"] > 0
    assert 0.0 < r["exact"]["p"] <= 1.0 and set(r["by_step"]) <= {"name", "gazetteer", "alignment"}


def test_evaluate_align_refuses_a_language_ntrex_lacks(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["evaluate", "align", "--lang", "ru", "--ntrex", str(tmp_path)])
    assert result.exit_code == 2 and "id and bg" in result.output
    result = CliRunner().invoke(app, ["evaluate", "align", "--lang", "id", "--ntrex", str(tmp_path)])
    assert result.exit_code == 2 and "newstest2019-ref.ind.txt" in result.output
