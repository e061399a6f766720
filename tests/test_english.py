"""English: NER by the multilingual model (spaCy's en_core_web_sm scored lower on UNER's
English dev set, 0.56 against 0.71), then lintas' rules and stages, on sentences written
for these tests."""

from __future__ import annotations

from conftest import text_records

TEXT = ("Chinese Foreign Minister Wang Yi met Uzbek President Shavkat Mirziyoyev in Tashkent "
        "on Monday, the ministry said. Rio Tinto and Sinopec signed a memorandum to ship "
        "copper to Japan via Kazakhstan, Bloomberg reported. UK Prime Minister Keir Starmer "
        "said London would invest in uranium mining in Mongolia.")


def test_english_entities_relations_events_and_claims():
    records = text_records(TEXT, "en")
    doc = records[0]
    assert doc["extractors"]["ner"].startswith("lintas-ner-xx")
    names = {r["id"]: r for r in records if r["type"] == "entity"}
    by_name = {r["name"]: r["label"] for r in names.values()}
    for name, label in [("Wang Yi", "PER"), ("Shavkat Mirziyoyev", "PER"), ("Tashkent", "LOC"),
                        ("Keir Starmer", "PER"), ("Mongolia", "LOC"), ("Japan", "LOC")]:
        assert by_name.get(name) == label, (name, by_name)
    # (English companies are the model's weak point, ORG F1 0.56 on UNER dev: not asserted)

    def name(i):
        return names[i]["name"] if i in names else None

    rels = {(r["label"], name(r["head"]), name(r["tail"])) for r in records
            if r["type"] == "relation"}
    assert ("holds_position", "Keir Starmer", "UK") in rels
    claims = [(name((r["speaker"] or {}).get("entity")) or (r["speaker"] or {}).get("text"),
               r["content"]["text"]) for r in records if r["type"] == "claim"]
    assert ("Keir Starmer", "London would invest in uranium mining in Mongolia.") in claims
    assert any(c[1].startswith("Rio Tinto and Sinopec signed") for c in claims)
    assert ("the ministry", "Chinese Foreign Minister Wang Yi met Uzbek President Shavkat "
            "Mirziyoyev in Tashkent on Monday") in claims
    events = [r for r in records if r["type"] == "event"]
    sign = [e for e in events if e["mode"] == "sign"][0]
    roles = {(a["role"], a["text"]) for a in sign["arguments"]}
    assert ("route", "Kazakhstan") in roles and ("commodity", "copper") in roles


def test_english_statement_before_a_titled_speaker_and_quote_before_the_name():
    text = ("Kazakhstan will ship more oil through the Caspian Sea to Azerbaijan, Energy "
            "Minister Almasadam Satkaliyev told reporters in Astana on Tuesday. \"We are "
            "diversifying our routes,\" Satkaliyev said. In Moscow, Putin said Russia would "
            "buy more grain.")
    records = text_records(text, "en")
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    claims = [(r["kind"], names.get((r["speaker"] or {}).get("entity")), r["content"]["text"])
              for r in records if r["type"] == "claim"]
    assert ("reported", "Almasadam Satkaliyev",
            "Kazakhstan will ship more oil through the Caspian Sea to Azerbaijan") in claims
    assert ("direct", "Almasadam Satkaliyev", "We are diversifying our routes") in claims
    assert "Caspian Sea" in names.values()  # without "the"
    ship = [r for r in records if r["type"] == "event" and r["mode"] == "shipment"][0]
    roles = {(a["role"], a["text"]) for a in ship["arguments"]}
    assert ("route", "Caspian Sea") in roles and ("location", "Azerbaijan") in roles
