"""The learned claim head (models/claims-xx) on sentences written for these tests, its
decoding, and `lintas train claims` on a slice of the corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.stages.claims import Claims
from pipeline.learned.claims_learned import default_dir, load_claim_heads, split_enclitics
from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.learned.event_features import decode_runs
from pipeline.lexicon.lexicons import models_dir
from pipeline.stages.ner_stage import STATES
from pipeline.learned.token_windows import Encoded

NER = models_dir() / "ner-xx"
shipped = pytest.mark.skipif(load_claim_heads() is None,
                             reason="no claims-xx head for this NER model")

_UP_TO_RELATIONS: list = []


def learned_claims(text: str, lang: str, merge: str = "learned") -> list[tuple]:
    """(kind, speaker's entity name or text, cue, content) of ``text``: the default stages
    up to the claims stage, then the claims stage with the shipped head (``merge``)."""
    return learned_claims_with(Claims(merge=merge, pop_states=True), text, lang)


def learned_claims_with(stage: Claims, text: str, lang: str) -> list[tuple]:
    """`learned_claims` with another claims stage."""
    if not _UP_TO_RELATIONS:
        nlp = build_pipeline(PipelineConfig(stages=DEFAULT_STAGES[:DEFAULT_STAGES.index("claims")]))
        for stage in nlp.stages:
            if stage.name == "ner":
                stage.keep_states = True
        _UP_TO_RELATIONS.append(nlp)
    doc = _UP_TO_RELATIONS[0](Document("t", "t", text, lang_hint=lang))
    stage(doc)
    out = []
    for c in doc.claims:
        who = (c.speaker_entity.name if c.speaker_entity is not None
               else text[c.speaker.start:c.speaker.end] if c.speaker else None)
        out.append((c.kind, who, text[c.cue.start:c.cue.end] if c.cue else None,
                    text[c.content.start:c.content.end]))
    return out


def test_split_enclitics():
    text = "Harga minyak naik, katanya."
    start = text.index("katanya")
    word = (start, start + len("katanya"))
    cues, speakers = split_enclitics(text, [word], [word], ("nya", "lah"))
    assert cues == [(start, start + 4)] and speakers == [(start + 4, start + 7)]
    # no enclitic ending: left alone
    assert split_enclitics(text, [word], [(0, 5)], ("nya",)) == ([word], [(0, 5)])


def test_decode_runs_fills_short_gaps_and_drops_single_tokens():
    text = "aa bb cc dd ee ff gg"
    starts = np.array([0, 3, 6, 9, 12, 15, 18])
    enc = Encoded(np.zeros(7, np.int64), starts, starts + 2, np.ones(7, bool))
    p = np.array([0.9, 0.9, 0.1, 0.9, 0.9, 0.0, 0.0])
    assert decode_runs(text, enc, p, "content", thr=0.5, smooth=0, max_gap=1) == [
        (0, 14, "content")]
    assert decode_runs(text, enc, p, "content", thr=0.5, smooth=0, max_gap=0) == [
        (0, 5, "content"), (9, 14, "content")]
    lone = np.array([0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0])
    assert decode_runs(text, enc, lone, "content", thr=0.5, smooth=0) == []


@shipped
@pytest.mark.parametrize("text,lang,speaker,content", [
    pytest.param(
        "«Мы готовы поставлять газ в Китай через Казахстан», — заявил пресс-секретарь Кремля "
        "Дмитрий Песков.", "ru", "Дмитрий Песков", "Мы готовы поставлять газ в Китай через "
        "Казахстан", marks=pytest.mark.xfail(strict=True, reason=(
            "the head retrained in session 12 (states read a document's windows alone) "
            "finds no claim here; the lexicons, read first for Russian, do"))),
    ("Министр энергетики Казахстана Алмасадам Саткалиев заявил, что экспорт нефти в этом году "
     "вырастет.", "ru", "Алмасадам Саткалиев", "экспорт нефти в этом году вырастет"),
    ("\"We need a deal,\" Mr Clark said.", "en", "Clark", "We need a deal"),
    ("Премиерът Росен Желязков заяви, че България ще внася повече газ от Азербайджан.", "bg",
     "Росен Желязков", "България ще внася повече газ от Азербайджан"),
])
def test_claims_from_the_head_alone(text, lang, speaker, content):
    got = learned_claims(text, lang)
    assert any(speaker in (who or "") and content in c for _, who, _, c in got), got


@shipped
def test_a_language_without_claim_lexicons_gets_the_heads_claims(monkeypatch):
    import pipeline.stages.claims as claims_module
    from conftest import without_lexicon

    without_lexicon(monkeypatch, claims_module, "ru", "claim_cues.tsv")
    got = learned_claims("Министр энергетики Казахстана Алмасадам Саткалиев заявил, что "
                         "экспорт нефти в этом году вырастет.", "ru", merge="lexicon_first")
    assert got and "Саткалиев" in (got[0][1] or ""), got


@shipped
@pytest.mark.parametrize("text,lang", [
    ("Всички права запазени. Копирането на материали от сайта без писмено разрешение на "
     "редакцията е забранено.", "bg"),
    ("Перепечатка материалов сайта допускается только с письменного разрешения редакции.", "ru"),
])
def test_a_footer_yields_no_claim(text, lang):
    assert learned_claims(text, lang) == []
    assert learned_claims(text, lang, merge="lexicon_first") == []


@shipped
def test_records_name_the_head_and_states_are_not_kept():
    doc = build_pipeline()(Document(
        "t", "t", "Министр энергетики Казахстана Алмасадам Саткалиев заявил, что экспорт нефти "
        "в этом году вырастет.", lang_hint="ru"))
    assert doc.extractors["claims"].startswith("lintas-claims-xx ")
    assert STATES not in doc.cache  # the events stage took them after the claims stage


def test_head_is_off_for_another_ner_model(tmp_path):
    if not (default_dir() / "model.json").exists():
        pytest.skip("no shipped claims-xx")
    other = tmp_path / "ner"
    other.mkdir()
    info = json.loads((NER / "model.json").read_text(encoding="utf-8"))
    info["onnx_sha256"] = "0" * 64  # a retrained model
    (other / "model.json").write_text(json.dumps(info), encoding="utf-8")
    assert load_claim_heads(default_dir(), {"transformer": {"model_dir": str(other)}}) is None


def _corpus_readable() -> bool:
    import sys

    sys.path.insert(0, str(models_dir() / "corpus"))
    import corpuslib  # type: ignore[import-not-found]

    return corpuslib.data_root().is_dir()


@pytest.mark.skipif(not _corpus_readable(), reason="needs ../shared/data (the corpus' sources)")
def test_train_claims_on_a_slice(tmp_path):
    """`lintas train claims` end to end on six documents per split, two epochs, the final
    head averaged over two seeds, no dev scoring, into a copy: the shipped models are not
    touched."""
    pytest.importorskip("torch")
    from typer.testing import CliRunner

    from cli import app

    out = tmp_path / "claims"
    result = CliRunner().invoke(app, ["train", "claims", "--out", str(out), "--work",
                                      str(tmp_path / "work"), "--limit-docs", "6",
                                      "--max-epochs", "2", "--widths", "0", "--no-evaluate",
                                      "--ensemble", "2"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert info["ensemble"] == 2
    assert info["merge"] in ("lexicon", "learned", "lexicon_first", "learned_first")
    assert info["encoder"]["onnx_sha256"] == json.loads(
        (NER / "model.json").read_text(encoding="utf-8"))["onnx_sha256"]
    assert (out / "README.md").read_text(encoding="utf-8").startswith("# lintas-claims-xx")
    heads = load_claim_heads(out)
    assert heads is not None and heads.head.groups == 3
    # each language of the slice has its own cross-validated choice
    assert set(info["by_language"]) <= {"bg", "en", "id", "pl", "ru"} and info["by_language"]
    for c in info["by_language"].values():
        assert c["merge"] in ("lexicon", "learned", "lexicon_first", "learned_first")
        assert c["cross_validated_f1"] >= c["overall_choice_f1"]


@shipped
def test_each_language_takes_its_own_merge_unless_the_caller_chose_one():
    """The model's per-language choice (`by_language` in model.json) decides how the head's
    claims join the lexicons' for a document in that language; other languages take the
    overall choice, and a caller's own merge overrides both."""
    from dataclasses import replace

    heads = load_claim_heads()
    info = {**heads.info, "merge": "lexicon_first", "implicit_speaker": True,
            "by_language": {"id": {"merge": "learned", "implicit_speaker": False}}}
    stage = Claims(heads=replace(heads, info=info))
    assert stage.setting("id") == ("learned", False)
    assert stage.setting("bg") == ("lexicon_first", True)
    assert stage.setting("cs") == ("lexicon_first", True)
    assert Claims(heads=replace(heads, info=info), merge="lexicon").setting("id")[0] == "lexicon"
    # the id document reads with the head alone: no lexicon claim, same head's claims
    text = "Menteri Budi mengatakan bahwa pemerintah akan membangun kilang minyak baru."
    alone = learned_claims_with(Claims(heads=heads, merge="learned", implicit_speaker=False),
                                text, "id")
    assert alone and learned_claims_with(Claims(heads=replace(heads, info=info)), text,
                                         "id") == alone


@shipped
def test_claims_and_events_share_one_encoder_pass(monkeypatch):
    """With `events_encode`, a document no transformer NER pass read (Indonesian, read by
    its spaCy NER) is encoded once for both the claims and the events heads."""
    from pipeline.backends import get_backend

    encoder = get_backend("ner", "transformer").encoder
    calls = []
    real = encoder.spans_and_states

    def counted(texts, layers=None):
        calls.append(len(texts))
        return real(texts, layers)

    monkeypatch.setattr(encoder, "spans_and_states", counted)
    doc = build_pipeline(PipelineConfig(events_encode=True))(Document(
        "t", "t", "Presiden Joko Widodo mengunjungi Beijing pekan lalu. \"Kami siap memasok gas "
        "ke China,\" kata Menteri Energi Bahlil Lahadalia.", lang_hint="id"))
    assert doc.extractors["claims"].startswith("lintas-claims-xx ")
    assert doc.extractors["events"].startswith("lintas-events-xx ")
    assert calls == [1]


def _finder(text: str, lang: str):
    """The claims stage's view of ``text`` after the default stages before it."""
    from pipeline.stages.claim_finder import ClaimFinder as _Finder
    from pipeline.lexicon.lexicons import grammar
    from pipeline.text.phrases import phrase_list, phrase_table

    nlp = build_pipeline(PipelineConfig(stages=DEFAULT_STAGES[:DEFAULT_STAGES.index("claims")]))
    doc = nlp(Document("t", "t", text, lang_hint=lang))
    return _Finder(doc, phrase_table(lang, "claim_cues.tsv"), phrase_table(lang, "quantities.tsv"),
                   grammar(lang), phrase_list(lang, "titles.txt"))


def test_a_quoted_content_the_head_starts_late_is_the_whole_quotation():
    """Where the head starts a quoted content a word late, the content is the whole inside
    of the quotation marks; outside a quotation nothing changes."""
    text = ("Ia menambahkan: “Presiden Kassym-Jomart Tokayev dan Vladimir Putin berpikir perlu "
            "adanya pembicaraan terperinci,” tulis Zheldibai. Harga gas naik “sedikit” saja.")
    f = _finder(text, "id")
    quote = f._quotation_at(text.index("Kassym"))
    assert quote is not None
    assert text[quote.start:quote.end] == ("Presiden Kassym-Jomart Tokayev dan Vladimir Putin "
                                           "berpikir perlu adanya pembicaraan terperinci,")
    assert f._quotation_at(text.index("tulis")) is None  # after the closing mark
    assert f._quotation_at(text.index("Harga")) is None


def test_a_reported_content_the_head_starts_inside_its_clause_starts_at_the_complementizer():
    """"X mengumumkan bahwa pihaknya … menandatangani nota kesepahaman tentang 'Kemitraan …'"
    read from 'Kemitraan' by the head: the content is the clause after "bahwa", so that
    "pihaknya" in it stands for the speaker."""
    from pipeline.core.document import Span

    text = ("Kementerian Energi Korea Selatan mengumumkan bahwa pihaknya bersama Kementerian "
            "Energi Kazakhstan telah menandatangani nota kesepahaman tentang 'Kemitraan Mineral' "
            "pada hari Kamis.")
    f = _finder(text, "id")
    cue = Span(text.index("mengumumkan"), text.index("mengumumkan") + len("mengumumkan"))
    late = Span(text.index("'Kemitraan") + 1, text.index("Mineral'") + len("Mineral"))
    got = f._from_complementizer(cue, late)
    assert text[got.start:got.end].startswith("pihaknya bersama") and got.end == late.end
    # a content that already starts at the clause stays as it is
    clause = Span(text.index("pihaknya"), late.end)
    assert f._from_complementizer(cue, clause) == clause
    # no complementizer after the cue: as the head read it
    text2 = "Menteri Energi Korea Selatan mengatakan harga gas akan naik tahun depan."
    f2 = _finder(text2, "id")
    cue2 = Span(text2.index("mengatakan"), text2.index("mengatakan") + len("mengatakan"))
    late2 = Span(text2.index("gas"), text2.index(" tahun"))
    assert f2._from_complementizer(cue2, late2) == late2


def test_names_alone_are_no_content():
    """A content the head reads as names only ("Kazakhtan Kassym-Jomart Tokayev" for what
    Peskov "mengkonfirmasi") is no statement; a clause with a name in it is one."""
    text = ("Sehari setelah Presiden Kazakhstan Kassym-Jomart Tokayev bertemu dengan Putin di "
            "Moskow, Juru Bicara Kremlin Dmitry Peskov juga mengkonfirmasi.")
    f = _finder(text, "id")
    from pipeline.core.document import Span

    names = Span(text.index("Kazakhstan"), text.index(" bertemu"))
    assert f._only_names(names)
    clause = Span(text.index("Kassym"), text.index(" di Moskow"))
    assert not f._only_names(clause)


class _FixedHead:
    """A claims head that reads, in each sentence, the (content, cue) spans ``pick`` gives
    (offsets into the sentence): the decoding after the head, without a model."""

    def __init__(self, pick) -> None:
        self.pick = pick

    def claims(self, text, enc, x, enclitics, continuation=False):
        from types import SimpleNamespace

        return [SimpleNamespace(content=c, cue=q, speaker=None, prob=0.9)
                for c, q in self.pick(text)]


class _AnyStates:
    def sentence(self, start, end):
        return (None, None)


def _read(text: str, lang: str, content: str, cue: str) -> list[tuple[str, str]]:
    """(kind, content text) of the claims the decoding makes of a head reading ``content``
    for ``cue`` in ``text``."""
    def at(s: str, sub: str) -> tuple[int, int]:
        return (s.index(sub), s.index(sub) + len(sub))

    f = _finder(text, lang)
    head = _FixedHead(lambda s: [(at(s, content), at(s, cue))] if content in s else [])
    return [(c.kind, text[c.content.start:c.content.end])
            for c in f.learned(head, _AnyStates(), ())]


@pytest.mark.parametrize("text,lang,content,cue,want", [
    ("Shi‘ite leaders said that the ceasefire would hold, according to Iran’s foreign "
     "ministry.", "en", "the ceasefire would hold", "said",
     ("reported", "the ceasefire would hold")),
    ('Pipa 12" itu pecah, dan menteri mengatakan bahwa kebocoran itu kecil dan "terkendali" '
     "sekarang.", "id", "kebocoran itu kecil", "mengatakan", ("reported", "kebocoran itu kecil")),
    ("“Kremlin mengatakan bahwa harga gas akan naik tahun depan,” kata Peskov kepada "
     "wartawan.", "id", "harga gas akan naik tahun depan", "mengatakan",
     ("reported", "harga gas akan naik tahun depan")),
    ('Pipa 12" itu pecah. Menteri berkata "kami akan memperbaikinya minggu ini" kepada '
     "wartawan.", "id", "akan memperbaikinya minggu ini", "berkata",
     ("direct", "kami akan memperbaikinya minggu ini")),
])
def test_marks_that_open_no_quotation(text, lang, content, cue, want):
    """A letter mark inside a word ("Shi‘ite"), an inch mark ('12"') and a quotation that
    holds the cue itself make no direct content; a real quotation after an inch mark
    still does."""
    assert _read(text, lang, content, cue) == [want]
