"""Events on sentences written for these tests: type, mode, arguments, time, modality."""

from __future__ import annotations

import pytest

from conftest import find_event as find
from conftest import text_events as events


def test_planned_visit_and_signing_with_date():
    text = ("Presiden Rusia Vladimir Putin akan mengunjungi Kazakhstan pada Kamis (13/06) "
            "dan menandatangani protokol kerja sama gas.")
    evs = events(text, "id", published="2024-06-10")
    visit = find(evs, "visit")
    assert visit["type"] == "CONSULT" and visit["modality"] == "planned"
    assert visit["args"]["actor"] == ["Vladimir Putin"]
    assert "Kazakhstan" in visit["args"].get("counterpart", []) + visit["args"].get("location", [])
    assert visit["time"] == "2024-06-13"
    sign = find(evs, "sign")
    assert sign["type"] == "AGREE" and sign["args"]["commodity"] == ["gas"]


def test_negated_ban_in_indonesian():
    evs = events("Rusia tidak melarang impor gandum dari Kazakhstan.", "id")
    ban = find(evs, "ban")
    assert ban["type"] == "SANCTION" and ban["modality"] == "negated"
    assert ban["args"]["actor"] == ["Rusia"]
    assert find(evs, "import")["args"]["commodity"] == ["gandum"]


def test_bulgarian_signing_with_two_parties_and_a_date():
    text = "Казахстан и САЩ подписаха меморандум за критичните минерали на 13 юни 2024 г."
    sign = find(events(text, "bg"), "sign")
    assert sign["args"]["actor"] == ["Казахстан", "САЩ"]
    assert sign["time"] == "2024-06-13" and sign["modality"] == "asserted"
    assert sign["args"]["commodity"] == ["критичните минерали"]


def test_bulgarian_future_visit():
    visit = find(events("Токаев ще посети Москва следващата седмица.", "bg"), "visit")
    assert visit["modality"] == "planned"
    assert visit["args"].get("counterpart") == ["Москва"] or visit["args"].get("location") == ["Москва"]


def test_english_negated_export_with_commodity():
    export = find(events("Kazakhstan will not export uranium to China this year.", "en"), "export")
    assert export["type"] == "TRADE" and export["modality"] == "negated"
    assert export["args"]["actor"] == ["Kazakhstan"] and export["args"]["commodity"] == ["uranium"]
    assert export["args"]["location"] == ["China"]


def test_trigger_inside_a_name_is_not_an_event():
    evs = events("Amerika Serikat menyambut delegasi itu.", "id")
    assert not [e for e in evs if e["mode"] == "alliance"]


def test_later_sentences_keep_the_storys_date():
    text = ("Korea Selatan dan Kazakhstan menandatangani MoU pada Kamis (13/06). "
            "Selain itu, Samruk-Kazyna juga menandatangani perjanjian dengan Doosan Energy.")
    signs = [e for e in events(text, "id", published="2024-06-14") if e["mode"] == "sign"]
    assert len(signs) == 2 and [e["time"] for e in signs] == ["2024-06-13", "2024-06-13"]


def test_noun_triggers_take_the_name_after_them_as_actor():
    ban = find(events("Larangan Rusia terhadap impor gandum dari Kazakhstan berlaku.", "id"), "ban")
    assert ban["args"]["actor"] == ["Rusia"]
    meet = find(events("Среща между Марко Рубио и Мурат Нуртлеу се състоя в Астана.", "bg"), "meet")
    assert meet["args"]["actor"] == ["Марко Рубио", "Мурат Нуртлеу"]


def test_sample_articles_events_and_claims(seed_records):
    """The issue's reading of the sample articles, as far as this version gets it."""
    names = {r["id"]: r["name"] for r in seed_records if r["type"] == "entity"}

    def evs(doc: str, mode: str) -> list[dict]:
        return [r for r in seed_records if r["type"] == "event" and r["doc_id"].startswith(doc)
                and r["mode"] == mode]

    def roles(ev: dict, role: str) -> set[str]:
        return {names.get(a["entity"], a["text"]) for a in ev["arguments"] if a["role"] == role}

    sign = [e for e in evs("001", "sign") if e["modality"] == "planned"]
    actors = roles(sign[0], "actor") if sign else set()
    assert any("Putin" in a for a in actors) and any("Tokayev" in a for a in actors)
    assert any(roles(e, "actor") == {"Rusia"} for e in evs("001", "ban"))
    assert any(roles(e, "actor") == {"Марко Рубио", "Мурат Нуртлеу"} for e in evs("003", "meet"))
    claims = [r for r in seed_records if r["type"] == "claim" and r["doc_id"].startswith("002")]
    speakers = {(c["kind"], c["speaker"]["text"]) for c in claims if c["speaker"]}
    assert ("direct", "Peskov") in speakers and ("direct", "Zheldibai") in speakers
    # Putin's visit to Kazakhstan, planned in the first sentence
    visits = [e for e in evs("001", "visit") if e["modality"] == "planned"]
    assert visits and roles(visits[0], "actor") == {"Vladimir Putin"}
    assert roles(visits[0], "location") == {"Kazakhstan"}
    # the Korean article's memoranda with both parties each
    parties = [roles(e, "actor") for e in evs("004", "sign")]
    assert {"Kementerian Perindustrian, Perdagangan, dan Sumber Daya Korea Selatan",
            "Kementerian Perindustrian dan Konstruksi Kazakhstan"} in parties
    assert {"Institut Kemajuan Teknologi Korea",
            "Pusat Peramalan Teknologi Nasional Kazakhstan"} in parties
    assert {"Kementerian Perindustrian, Perdagangan, dan Sumber Daya Korea Selatan",
            "Kementerian Energi Kazakhstan"} in parties
    # the described speaker and the unattributed figure of the first article
    claims = {(c["kind"], (c["speaker"] or {}).get("text"), c["content"]["text"][:40])
              for c in seed_records if c["type"] == "claim" and c["doc_id"].startswith("001")}
    assert any(k == "reported" and c == "negaranya dapat meningkatkan ekspor miny"
               for k, _, c in claims)
    assert ("factual", None, "Menggarisbawahi lebih dari 80 persen min") in claims


@pytest.mark.xfail(strict=True, reason=(
    "Indonesian lets the claims head read first (learned_first, its cross-validated choice: "
    "0.575 against 0.502 on the train folds, 0.607 against 0.357 on dev), and the head "
    "takes 'Putin' of 'Artikel Putin muncul setelah menteri energi Kazakhstan … mengatakan' "
    "as the speaker; the rules read the described speaker"))
def test_sample_article_described_speaker(seed_records):
    claims = {((c["speaker"] or {}).get("text"), c["content"]["text"][:40])
              for c in seed_records if c["type"] == "claim" and c["doc_id"].startswith("001")}
    assert ("menteri energi Kazakhstan", "negaranya dapat meningkatkan ekspor miny") in claims


def test_event_inside_a_quote_is_reported():
    evs = events("“Rusia mengekspor gas ke China setiap hari,” kata Dmitry Peskov kepada wartawan.",
                 "id")
    assert find(evs, "export")["modality"] == "reported"
    evs = events("Rusia mengekspor gas ke China setiap hari.", "id")
    assert find(evs, "export")["modality"] == "asserted"


def test_trigger_with_an_enclitic_and_a_route():
    # "kunjungannya" = his visit; "melalui" = via: the place is the route
    evs = events("Prabowo memulai kunjungannya ke Jepang pada Senin. Turkmenistan mengekspor "
                 "gasnya ke China melalui Uzbekistan.", "id")
    visit = find(evs, "visit")
    assert visit["trigger"] == "kunjungannya" and visit["args"]["location"] == ["Jepang"]
    export = find(evs, "export")
    assert export["args"]["route"] == ["Uzbekistan"] and export["args"]["commodity"] == ["gasnya"]
    assert export["args"]["actor"] == ["Turkmenistan"]


def test_arguments_stay_in_the_triggers_clause():
    # the ban after "menyusul" (following) is another clause: Japan takes no part in the visit
    text = ("Kunjungan Prabowo ke Tokyo berlangsung menyusul larangan Jepang terhadap impor "
            "batu bara dari Indonesia.")
    evs = events(text, "id")
    visit = find(evs, "visit")
    assert "Jepang" not in sum(visit["args"].values(), [])
    assert "batu bara" not in visit["args"].get("commodity", [])
    ban = find(evs, "ban")
    assert ban["args"]["actor"] == ["Jepang"] and ban["args"]["origin"] == ["Indonesia"]
    assert ban["args"]["commodity"] == ["batu bara"]


def test_bulgarian_route_and_clause_in_a_quote():
    text = ("Казахстан изнася петрол през Русия, след като Европа наложи санкции. "
            "„Ние доставяме уран на Китай от години“, заяви Токаев в Астана.")
    evs = events(text, "bg")
    export = find(evs, "export")
    assert export["args"]["route"] == ["Русия"] and "Европа" not in sum(export["args"].values(), [])
    supply = [e for e in evs if e["trigger"].lower().startswith("доставя")]
    assert supply and supply[0]["modality"] == "reported"
    assert "Астана" not in sum(supply[0]["args"].values(), [])


def test_signing_parties_listed_with_commas_and_dan():
    text = ("Kementerian Pertambangan dan Industri Berat Mongolia, Rio Tinto, dan Kementerian "
            "Energi Jepang menandatangani nota kesepahaman tentang tembaga di Ulaanbaatar.")
    sign = find(events(text, "id"), "sign")
    assert sign["args"]["actor"] == [
        "Kementerian Pertambangan dan Industri Berat Mongolia", "Rio Tinto",
        "Kementerian Energi Jepang"]
    assert sign["args"]["location"] == ["Ulaanbaatar"] and sign["args"]["commodity"] == ["tembaga"]


def test_bulgarian_definite_article_on_a_trigger():
    # "партньорството" = the partnership: the lexicon's "партньорство" with its article
    evs = events("Партньорството между Япония и Монголия расте бързо.", "bg")
    coop = find(evs, "cooperate")
    assert coop["trigger"] == "Партньорството" and coop["args"]["actor"] == ["Япония", "Монголия"]


def test_future_cue_covers_its_clause_but_negation_stays_local():
    evs = events("Presiden Prabowo akan membahas kerja sama nikel dalam kunjungannya ke Beijing "
                 "pekan depan.", "id")
    assert find(evs, "visit")["modality"] == "planned"
    evs = events(NEGATION, "id")
    assert find(evs, "ban")["modality"] == "negated"


NEGATION = ("Rusia tidak melarang impor gandum dari Kazakhstan dan justru menambah ekspor "
            "minyak ke China.")


def test_negation_stays_local():
    assert find(events(NEGATION, "id"), "export")["modality"] == "asserted"


def test_parties_acting_together_with_bersama():
    text = ("Badan Geologi Mongolia mengumumkan bahwa pihaknya bersama Rio Tinto telah "
            "menandatangani kontrak eksplorasi tembaga.")
    sign = find(events(text, "id"), "sign")
    assert sign["args"]["actor"] == ["Badan Geologi Mongolia", "Rio Tinto"]


def test_company_described_after_the_joining_word_and_an_aside():
    # "X (short name) dan perusahaan asal China, Y": both sign; the currency's country and
    # the short name in brackets are no parties. The multilingual model takes the short
    # name into the company's name, as IDNer tags it ("Bursa Efek Indonesia (BEI)"; NERGrit
    # tags them apart: splitting them cost 1.2 F1 on IDNer dev, +0.0 on NERGrit valid).
    text = ("PT Timah Tbk (Timah) dan perusahaan asal China, Tsingshan Holding, "
            "menandatangani perjanjian investasi senilai 2 miliar dolar AS di Bangka.")
    sign = find(events(text, "id"), "sign")
    actors = sign["args"]["actor"]
    assert len(actors) == 2 and actors[0] in ("PT Timah Tbk", "PT Timah Tbk (Timah)")
    assert actors[1] == "Tsingshan Holding"
    assert sign["args"]["location"] == ["Bangka"] and "counterpart" not in sign["args"]


def test_bulgarian_quoted_company_with_legal_form_and_description():
    text = "„Петрол Холдинг“ АД и румънската компания Ромгаз подписаха договор за доставки."
    evs = events(text, "bg")
    assert find(evs, "sign")["args"]["actor"] == ["Петрол Холдинг АД", "Ромгаз"]


def test_purpose_clause_takes_the_actors_and_plan_of_its_event():
    evs = events("Президентът на Узбекистан Шавкат Мирзиёев ще посети Токио следващия месец, "
                 "за да обсъди доставките на уран за Япония.", "bg", published="2025-03-10")
    visit = find(evs, "visit")
    assert visit["args"]["location"] == ["Токио"] and visit["time"] == "2025-04"
    talks = find(evs, "talks")
    assert talks["args"]["actor"] == ["Шавкат Мирзиёев"] and talks["modality"] == "planned"


def test_noun_trigger_with_a_commodity_before_its_owner():
    evs = events("Ekspor nikel Filipina ke Jepang turun tahun lalu.", "id", published="2025-02-01")
    export = find(evs, "export")
    assert export["args"]["actor"] == ["Filipina"] and export["time"] == "2024"
    evs = events("Aliansi gas dengan Turkmenistan diusulkan Moskow.", "id")
    assert "Turkmenistan" not in find(evs, "alliance")["args"].get("actor", [])


def test_korean_memoranda_take_the_storys_date_when_published_is_given(seeds_dir):
    text = (seeds_dir / "004_0817dce519c6dd83.txt").read_text(encoding="utf-8")
    signs = [e for e in events(text, "id", published="2024-06-14") if e["mode"] == "sign"]
    assert len(signs) >= 4 and all(e["time"] == "2024-06-13" for e in signs)


def test_purpose_clause_without_an_event_before_takes_the_subject():
    text = ("Mongolia, salah satu produsen batu bara terbesar di Asia, berencana untuk "
            "mengirimkan tembaga ke China melalui Laut Kuning.")
    ship = find(events(text, "id"), "shipment")
    assert ship["args"]["actor"] == ["Mongolia"] and ship["args"]["route"] == ["Laut Kuning"]


def test_noun_trigger_followed_by_a_future_cue_is_planned():
    evs = events("Korea and Mongolia did not sign the lithium deal, officials said, but talks "
                 "will continue next week in Ulaanbaatar.", "en")
    assert find(evs, "sign")["modality"] == "negated"
    assert find(evs, "talks")["modality"] == "planned"


def test_a_pronoun_subject_is_the_actor_it_stands_for():
    """As the corpus guideline takes it: a pronoun subject is the actor, standing for the
    last person named before it; in reported content a word for the speaker's side
    ("pihaknya", "we", "ние") stands for the speaker. A pronoun that is not the subject of
    the trigger stays out ("kami mendukung larangan Rusia": the ban is Russia's)."""
    visit = [e for e in events("Владимир Путин прибыл в Казахстан. Он посетил Астану в "
                               "понедельник.", "ru") if e["trigger"] == "посетил"]
    assert visit and visit[0]["args"]["actor"] == ["Владимир Путин"]
    meet = find(events("Presiden Prabowo tiba di Tokyo. Dia bertemu Perdana Menteri Shigeru "
                       "Ishiba pada Selasa.", "id"), "meet")
    assert meet["args"]["actor"] == ["Prabowo"]
    sign = find(events("Rosneft said on Monday that we will sign an agreement with "
                       "Kazakhstan.", "en"), "sign")
    assert sign["args"]["actor"] == ["Rosneft"] and sign["args"]["counterpart"] == ["Kazakhstan"]
    sign = find(events("Министър Петков заяви, че ние ще подпишем договор с Азербайджан.",
                       "bg"), "sign")
    assert sign["args"]["actor"] == ["Петков"]
    ban = find(events("Kami mendukung larangan Rusia, kata Menteri Budi.", "id"), "ban")
    assert ban["args"]["actor"] == ["Rusia"]


def test_events_before_claims_are_refused():
    """Events read the claims (an event inside what someone said is `reported`): a pipeline
    that runs events without the claims stage before it is refused, not run with other
    modalities."""
    from pipeline.core.core import PipelineConfig, build_pipeline
    from pipeline.core.errors import PipelineConfigError

    stages = ("clean", "langid", "segment", "ner", "ner_rules", "entities", "events")
    with pytest.raises(PipelineConfigError, match=r"'events' requires \['claims'\]"):
        build_pipeline(PipelineConfig(stages=stages))
    build_pipeline(PipelineConfig(stages=stages[:-1] + ("claims", "events")))
