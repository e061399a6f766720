"""Events on sentences written for these tests: type, mode, arguments, time, modality."""

from __future__ import annotations

from conftest import text_records


def events(text: str, lang: str, published: str | None = None) -> list[dict]:
    records = text_records(text, lang, published)
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    out = []
    for r in records:
        if r["type"] != "event":
            continue
        args = {}
        for a in r["arguments"]:
            args.setdefault(a["role"], []).append(names.get(a["entity"], a["text"]))
        out.append({"type": r["event_type"], "mode": r["mode"], "trigger": r["trigger"]["text"],
                    "modality": r["modality"], "args": args,
                    "time": (r["time"] or {}).get("value")})
    return out


def find(evs: list[dict], mode: str) -> dict:
    found = [e for e in evs if e["mode"] == mode]
    assert found, evs
    return found[0]


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
