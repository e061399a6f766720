"""`lintas evaluate events|claims`: the matching rules on hand-made cases, the corpus rebuilt
into documents whose offsets hold, and the command end to end on the English dev
documents (the texts come from the shared data folder; skipped without it)."""

from __future__ import annotations

import json

from conftest import needs_corpus

from pipeline.evaluation.evaluate_corpus import gold_documents, predicted, score_claims, score_events


def _event(typ, trigger, args=(), modality="asserted"):
    return {"type": typ, "trigger": trigger, "modality": modality, "args": list(args)}


def test_trigger_type_exact_and_overlap_and_arguments_of_paired_events():
    gold = [_event("AGREE", (10, 19), [("actor", (0, 9)), ("counterpart", (40, 47))]),
            _event("CONSULT", (60, 68), [("location", (72, 78))], "planned")]
    pred = [_event("AGREE", (10, 32), [("actor", (0, 9)), ("counterpart", (40, 44))]),
            _event("SANCTION", (60, 68), [("location", (72, 78))]),  # wrong type
            _event("TRADE", (90, 96), [("commodity", (97, 100))])]
    s = score_events(pred, gold)
    assert s["trigger_type"] == [0, 3, 2]  # the AGREE trigger is longer than the gold one
    assert s["trigger_type_overlap"] == [1, 3, 2]
    # actor exact; counterpart shares 4 of 7 characters (over half); the rest unpaired
    assert s["argument_role"] == [2, 4, 3]
    assert s["modality_of_paired"] == [1, 1, 1]


def test_a_pronoun_argument_matches_itself_or_the_name_it_stands_for():
    # gold: "которые" (30, 37) is the actor, standing for "судей" (0, 5) (GUIDELINE 2.4, R60)
    gold = [_event("CONCEDE", (38, 48), [("actor", (30, 37), (0, 5)), ("counterpart", (49, 54))])]
    on_name = [_event("CONCEDE", (38, 48), [("actor", (0, 5)), ("counterpart", (49, 54))])]
    on_pronoun = [_event("CONCEDE", (38, 48), [("actor", (30, 37))])]
    elsewhere = [_event("CONCEDE", (38, 48), [("actor", (10, 15)), ("counterpart", (0, 5))])]
    assert score_events(on_name, gold)["argument_role"] == [2, 2, 2]
    assert score_events(on_pronoun, gold)["argument_role"] == [1, 1, 2]
    # a name elsewhere, or the antecedent under another role, is wrong
    assert score_events(elsewhere, gold)["argument_role"] == [0, 2, 2]


def test_claims_need_half_of_the_content_and_the_speaker_or_its_name():
    gold = [{"kind": "direct", "speakers": [(50, 53), (0, 6)], "content": (10, 40), "anchor": 45},
            {"kind": "factual", "speakers": [], "content": (60, 100), "anchor": 60}]
    pred = [{"kind": "direct", "speakers": [(0, 6)], "content": (12, 40), "anchor": 45},
            {"kind": "factual", "speakers": [], "content": (60, 75), "anchor": 60}]
    s = score_claims(pred, gold)
    assert s["speaker_content"] == [1, 2, 2]  # the factual content is 15 of 40 characters
    wrong_speaker = [{**pred[0], "speakers": [(20, 25)]}]
    assert score_claims(wrong_speaker, gold[:1])["speaker_content"] == [0, 1, 1]
    assert score_claims(wrong_speaker, gold[:1])["content"] == [1, 1, 1]


def test_unattributed_figures_are_left_out_of_the_attributed_score_only():
    gold = [{"kind": "reported", "speakers": [(0, 6)], "content": (10, 40), "anchor": 8}]
    right = {"kind": "reported", "speakers": [(0, 6)], "content": (10, 40), "anchor": 8}
    figure = {"kind": "factual", "speakers": [], "content": (50, 90), "anchor": 50}
    no_speaker = {"kind": "reported", "speakers": [], "content": (100, 130), "anchor": 95}
    s = score_claims([right, figure, no_speaker], gold)
    assert s["speaker_content"] == [1, 3, 1]
    # the figure, which the corpus cannot hold, is not counted; a reported claim whose
    # speaker was not found still is
    assert s["attributed"] == [1, 2, 1]




@needs_corpus
def test_rebuilt_documents_keep_the_annotated_offsets():
    docs = gold_documents("dev", ["en", "ru"])
    assert docs and {d.lang for d in docs} == {"en", "ru"}
    import validate  # the corpus' loader: on sys.path after gold_documents

    texts = {}
    for rec in validate.load():
        if rec["split"] == "dev" and rec["lang"] in ("en", "ru"):
            for ev in rec["events"]:
                texts.setdefault(rec["doc"], []).append(ev["trigger"]["text"])
    for d in docs:
        got = [d.text[s:e] for s, e in (ev["trigger"] for ev in d.events)]
        assert got == texts.get(d.doc, [])
        for s, e in d.sentences:
            assert 0 <= s < e <= len(d.text)


@needs_corpus
def test_a_conllu_source_is_rebuilt_from_its_sentence_lines_only():
    # UD id-csui: the token tables between the "# text" lines are no text to read
    import validate

    docs = [d for d in gold_documents("all", ["id"]) if d.doc.startswith("id")]
    recs = {r["sid"]: validate.with_text(r) for r in validate.load()
            if r["source"].endswith(".conllu")}
    ud = {r["doc"] for r in recs.values()}
    rebuilt = [d for d in docs if d.doc in ud]
    assert rebuilt
    for d in rebuilt:
        assert "\t" not in d.text and "# text =" not in d.text
        sents = sorted(r["text"] for r in recs.values() if r["doc"] == d.doc)
        assert sorted(d.text[s:e] for s, e in d.sentences) == sents
        for c in d.claims:  # a content over several sentences still maps inside the text
            assert 0 <= c["content"][0] < c["content"][1] <= len(d.text)


@needs_corpus
def test_the_held_out_language_is_its_own_split():
    held = gold_documents("heldout")
    assert held and {d.lang for d in held} == {"cs"}
    assert not [d for d in gold_documents("train") + gold_documents("dev") if d.lang == "cs"]


@needs_corpus
def test_predictions_outside_the_annotated_sentences_are_not_scored():
    from pipeline.core.core import PipelineConfig, build_pipeline
    from pipeline.core.document import Document

    gold = gold_documents("dev", ["en"])[0]
    doc = build_pipeline(PipelineConfig())(Document(doc_id="x", source="x", text=gold.text,
                                                    lang_hint="en"))
    events, claims = predicted(doc, gold.sentences)
    assert len(events) <= len(doc.events) and len(claims) <= len(doc.claims)
    assert predicted(doc, []) == ([], [])


@needs_corpus
def test_evaluate_claims_command_on_english_dev(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["evaluate", "claims", "--lang", "en", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["scores"]
    assert set(scores) == {"en", "all"}
    en = scores["en"]["speaker_content"]
    assert en["gold"] > 0 and 0 <= en["tp"] <= min(en["pred"], en["gold"])
    bad = CliRunner().invoke(app, ["evaluate", "claims", "--lang", "xx"])
    assert bad.exit_code == 2 and "[L024]" in bad.output
