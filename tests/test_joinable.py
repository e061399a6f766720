"""Records a graph builder can join (issue 13, item 4): a commodity argument carries the
key of the shipped commodity vocabulary, and a claim lists the entities it is about."""

from __future__ import annotations

from conftest import text_records
from pipeline.io.schema import validation_errors


def _commodities(records: list[dict]) -> list[tuple[str, str | None]]:
    return [(a["text"], a["key"]) for r in records if r["type"] == "event"
            for a in r["arguments"] if a["role"] == "commodity"]


def test_commodity_words_of_three_languages_share_one_key() -> None:
    """"litium", "Litium" and "литий" are all `lithium`; the surface text is kept."""
    found = []
    for text, lang in (
            ("Indonesia akan mengekspor litium ke Korea Selatan mulai tahun depan.", "id"),
            ("Tambang Litium baru dibangun di Sulawesi. Perusahaan itu akan membangun "
             "pabrik Litium di sana.", "id"),
            ("Казахстан будет поставлять литий в Южную Корею.", "ru")):
        records = text_records(text, lang)
        assert not [e for r in records for e in validation_errors(r)]
        found += _commodities(records)
    keys = {text.lower(): key for text, key in found}
    assert keys.get("litium") == "lithium", found
    assert keys.get("литий") == "lithium", found
    assert any(text == "Litium" for text, _ in found), found


def test_a_claim_lists_the_entities_its_content_names_in_order() -> None:
    text = ("Presiden Kassym-Jomart Tokayev mengatakan bahwa Kazakhstan akan menjual uranium "
            "ke Korea Selatan dan Jepang tahun depan.")
    records = text_records(text, "id")
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    claims = [r for r in records if r["type"] == "claim"]
    assert claims, records
    claim = claims[0]
    about = [names[i] for i in claim["about"]]
    start, end = claim["content"]["start"], claim["content"]["end"]
    # exactly the entities with a mention inside the content, by first mention there
    expected = sorted(((min(m["start"] for m in r["mentions"]
                            if start <= m["start"] and m["end"] <= end), r["name"])
                       for r in records if r["type"] == "entity"
                       and any(start <= m["start"] and m["end"] <= end for m in r["mentions"])))
    assert about == [n for _, n in expected]
    assert about[:1] == ["Kazakhstan"], about
    assert "Kassym-Jomart Tokayev" not in about  # the speaker, outside the content


def test_seed_claims_and_commodities(seed_records) -> None:
    """On the sample articles every claim has an ``about`` list of entity ids of its own
    document, and every commodity argument of the rules has a key."""
    ids = {r["id"] for r in seed_records if r["type"] == "entity"}
    claims = [r for r in seed_records if r["type"] == "claim"]
    assert claims and all(set(c["about"]) <= ids for c in claims)
    assert all(i.startswith(c["doc_id"] + "/") for c in claims for i in c["about"])
    assert sum(bool(c["about"]) for c in claims) >= len(claims) // 2
    keys = {k for _, k in _commodities(seed_records)}
    assert {"lithium", "oil", "gas", "uranium"} <= keys, keys
