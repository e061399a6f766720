"""The shipped spaCy NER models (`--ner spacy,gazetteer`) on sentences written for the
tests, and on the sample articles.

These sentences were written by the lintas developers; they are not in any training file.
"""

from __future__ import annotations

import pytest

from pipeline.backends import get_backend
from pipeline.stages.clean import Clean
from pipeline.core.document import Document
from pipeline.stages.entities import Entities
from pipeline.stages.ner_rule_stage import NerRules
from pipeline.stages.ner_stage import Ner
from pipeline.stages.segment import Segment

needs_models = pytest.mark.skipif(
    not (get_backend("ner", "spacy").supports("id") and get_backend("ner", "spacy").supports("bg")),
    reason="models/ner-id and models/ner-bg are not built")


def ents(text: str, lang: str) -> set[tuple[str, str]]:
    doc = Document("t", "t", text, lang=lang)
    for stage in (Clean(), Segment(), Ner(backends=("spacy", "gazetteer")), NerRules(),
                  Entities()):
        doc = stage(doc)
    for m in doc.mentions:
        assert text[m.start:m.end] == m.text
    return {(m.text, m.label) for m in doc.mentions}


@needs_models
def test_indonesian_people_organisations_places():
    text = ("Menteri Energi Arifin Tasrif mengatakan PT Pertamina akan bekerja sama dengan "
            "perusahaan Jepang Inpex untuk mengembangkan ladang gas di Maluku. Menurut Arifin, "
            "proyek itu akan selesai pada 2027.")
    found = ents(text, "id")
    assert ("Arifin Tasrif", "PER") in found
    assert ("Arifin", "PER") in found  # the surname-style repeat, by propagation or model
    assert ("Maluku", "LOC") in found
    assert any(lab == "ORG" and "Pertamina" in t for t, lab in found)


@needs_models
def test_bulgarian_people_organisations_places():
    text = ("Министърът на енергетиката Росен Христов заяви, че Булгаргаз ще договори нови "
            "доставки на газ от Азербайджан. Христов се срещна с представители на "
            "Европейската комисия в Брюксел.")
    found = ents(text, "bg")
    assert ("Росен Христов", "PER") in found
    assert ("Христов", "PER") in found
    assert ("Брюксел", "LOC") in found and ("Азербайджан", "LOC") in found
    assert any(lab == "ORG" and "комисия" in t for t, lab in found)


@needs_models
def test_gazetteer_identity_and_label_for_model_spans():
    text = ("Menteri Luar Negeri Rusia Sergei Lavrov bertemu dengan Menteri Luar Negeri "
            "Uzbekistan di Tashkent. Uzbekistan akan mengekspor gas ke China melalui Kazakhstan.")
    doc = Document("t", "t", text, lang="id")
    for stage in (Clean(), Segment(), Ner(backends=("spacy", "gazetteer")), NerRules(),
                  Entities()):
        doc = stage(doc)
    places = {m.text: (m.label, m.canonical["key"]) for m in doc.mentions if m.canonical}
    assert places["Uzbekistan"] == ("LOC", "Q265")
    assert places["Tashkent"] == ("LOC", "Q269")
    assert places["Kazakhstan"] == ("LOC", "Q232")
    assert places["China"] == ("LOC", "Q148")
    assert ("Sergei Lavrov", "PER") in {(m.text, m.label) for m in doc.mentions}


def _seed_found(seed_records) -> set[tuple[str, str]]:
    return {(m["text"], r["label"]) for r in seed_records if r["type"] == "entity"
            for m in r["mentions"]}


@needs_models
def test_sample_articles_people_and_organisations_found_so_far(seed_records):
    found = _seed_found(seed_records)
    for name in ["Putin", "Vladimir Putin", "Tokayev", "Yuri Ushakov", "Марко Рубио"]:
        assert (name, "PER") in found, name
    for name in ["POSCO Group", "Reuters"]:
        assert (name, "ORG") in found, name


def _problems(seed_records, names: list[str], label: str) -> list[str]:
    """Names not found with ``label`` (as the mention or its last words), or also found
    under another label."""
    mentions = [(m["text"], r["label"]) for r in seed_records if r["type"] == "entity"
                for m in r["mentions"]]
    out = []
    for name in names:
        if not any(lab == label and (t == name or t.endswith(" " + name)) for t, lab in mentions):
            out.append(f"{name}: not found as {label}")
        wrong = sorted({lab for t, lab in mentions if t == name and lab != label})
        if wrong:
            out.append(f"{name}: also labelled {wrong}")
    return out


@needs_models
def test_sample_articles_all_people_and_organisations(seed_records):
    problems = _problems(seed_records, ["Putin", "Tokayev", "Peskov", "Рубио", "Нуртлеу"], "PER")
    problems += _problems(seed_records, ["Rosatom", "Cove Capital LLC", "SK Eco Plant",
                                         "Samruk-Kazyna", "POSCO Group"], "ORG")
    assert not problems, problems


@needs_models
@pytest.mark.parametrize("lang,text", [
    ("bg", "Министър-председателят каза, че „Булгаргаз“ ЕАД (БГ) ще плати.\n\nПутин отговори."),
    ("id", "Presiden Joko Widodo (Jokowi) bertemu Putin, kemarin.\n\nDi Moskwa."),
])
def test_shipped_model_alone_tokenizes_raw_text_as_lintas(lang, text):
    """``spacy.load`` of a shipped model gives it lintas' tokens, the ones it was trained on."""
    import spacy

    from pipeline.text import spacy_util  # noqa: F401 - registers lintas.Tokenizer.v1
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.text.blank import blank_pipeline

    doc = spacy.load(models_dir() / f"ner-{lang}")(text)
    assert [t.text for t in doc] == [t.text for t in blank_pipeline(lang).make_doc(text)
                                     if not t.is_space]
    assert any(t.text == "," for t in doc) and doc.ents
