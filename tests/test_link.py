"""`lintas link`: the same entity gets one key across the documents of an output file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app
from conftest import write
from pipeline.corpus.link import plan_merges
from pipeline.text.names import name_key

runner = CliRunner()


def entity(doc: str, n: int, label: str, name: str, key: str, wikidata: str | None = None):
    return {"type": "entity", "id": f"{doc}/e{n}", "doc_id": doc, "label": label, "name": name,
            "canonical": {"key": key, "name": name, "wikidata": wikidata},
            "mentions": [{"start": 0, "end": len(name), "text": name}], "confidence": 0.8}


def test_short_forms_and_mislabelled_surnames_join_full_names():
    counts = {"per:kasim-jomart-tokaev": 1, "per:tokaev": 2, "loc:tokaev": 1,
              "org:posko": 1, "org:posko-group": 1, "per:ali-hasan": 1, "per:budi-hasan": 1,
              "per:hasan": 1, "org:samruk-kazina-fund": 3, "org:samruk-kazna-fund": 1,
              "Q232": 4}
    merges = plan_merges(counts, {"Group"})
    assert merges["per:tokaev"] == merges["loc:tokaev"] == "per:kasim-jomart-tokaev"
    assert merges["org:posko"] == "org:posko-group"
    assert merges["org:samruk-kazna-fund"] == "org:samruk-kazina-fund"  # misspelling
    assert "per:hasan" not in merges  # two people could be meant
    assert "Q232" not in merges


def test_link_command_rewrites_keys_and_copies_the_rest(tmp_path):
    records = [
        {"type": "document", "doc_id": "a", "lang": "id"},
        entity("a", 1, "PER", "Kassym-Jomart Tokayev", "per:kasim-jomart-tokaev"),
        entity("a", 2, "LOC", "Kazakhstan", "Q232", "Q232"),
        {"type": "document", "doc_id": "b", "lang": "bg"},
        entity("b", 1, "LOC", "Токаев", "loc:tokaev"),
        entity("b", 2, "LOC", "Казахстан", "Q232", "Q232"),
    ]
    src = write(tmp_path / "run.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in records) + "not json\n")
    out = tmp_path / "linked.jsonl"
    result = runner.invoke(app, ["link", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 merged" in result.output and "1 unreadable" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(records) + 1 and lines[-1] == "not json"
    linked = [json.loads(x) for x in lines[:-1]]
    tokaev = linked[4]
    assert tokaev["canonical"]["key"] == "per:kasim-jomart-tokaev"
    assert tokaev["label"] == "PER" and tokaev["canonical"]["name"] == "Kassym-Jomart Tokayev"
    assert linked[1] == records[1] and linked[5] == records[5]
    same = runner.invoke(app, ["link", str(src), "-o", str(src)])
    assert same.exit_code == 2


def test_sample_articles_share_keys_after_link(seed_records, tmp_path):
    """Kazakhstan, Russia, China, Central Asia, Putin and Tokayev: one key each across the
    five sample articles (Indonesian and Bulgarian), after `lintas link`."""
    src = write(tmp_path / "run.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in seed_records))
    out = tmp_path / "linked.jsonl"
    assert runner.invoke(app, ["link", str(src), "-o", str(out)]).exit_code == 0
    keys: dict[str, set[str]] = {}
    docs: dict[str, set[str]] = {}
    names = {"Kazakhstan": ("Kazakhstan", "Казахстан", "Kazakhtan"), "Russia": ("Rusia", "Русия"),
             "China": ("China", "Cina", "Китай"), "Central Asia": ("Asia Tengah", "Централна Азия"),
             "Putin": ("Vladimir Putin", "Putin", "Путин"),
             "Tokayev": ("Tokayev", "Kassym-Jomart Tokayev", "Токаев")}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["type"] != "entity":
            continue
        for what, forms in names.items():
            if r["name"] in forms:
                keys.setdefault(what, set()).add(r["canonical"]["key"])
                docs.setdefault(what, set()).add(r["doc_id"][:3])
    assert {k: len(v) for k, v in keys.items()} == {k: 1 for k in names}, keys
    assert docs["Kazakhstan"] == {"000", "001", "002", "003", "004"}
    assert docs["Tokayev"] == {"001", "002", "003"} and docs["Russia"] >= {"000", "001", "002", "003"}
    assert keys["Kazakhstan"] == {"Q232"} and keys["Russia"] == {"Q159"}


def linked_keys(tmp_path, docs: list[tuple[str, list[tuple[str, str]]]]
                ) -> list[tuple[str, str, str]]:
    """(label, name, key) of each entity after `lintas link`, for documents given as their
    language and their (label, name) entities, keyed as `lintas run` keys them."""
    records = []
    for i, (lang, names) in enumerate(docs):
        doc = f"d{i}"
        records.append({"type": "document", "doc_id": doc, "lang": lang})
        records += [entity(doc, n, label, name, name_key(label, name))
                    for n, (label, name) in enumerate(names, 1)]
    src = write(tmp_path / "run.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in records))
    out = tmp_path / "linked.jsonl"
    result = runner.invoke(app, ["link", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return [(r["label"], r["name"], r["canonical"]["key"])
            for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())
            if r["type"] == "entity"]


def keys_of(linked: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for _label, name, key in linked:
        out.setdefault(name, set()).add(key)
    return out


def test_one_person_across_scripts_and_transcriptions(tmp_path):
    """"Трамп" (Russian), "Tpъмп" (Bulgarian, typed with a Latin T and p), "Trump"; and
    "Тръмп" alone after "Доналд Тръмп": one key."""
    got = keys_of(linked_keys(tmp_path, [
        ("ru", [("PER", "Трамп")]), ("bg", [("PER", "Tpъмп")]), ("en", [("PER", "Trump")])]))
    assert len(set().union(*got.values())) == 1, got
    got = keys_of(linked_keys(tmp_path, [
        ("bg", [("PER", "Доналд Тръмп")]), ("bg", [("PER", "Тръмп")]),
        ("id", [("PER", "Trump"), ("PER", "Donald Trump")]), ("ru", [("PER", "Трампа")])]))
    assert len(set().union(*got.values())) == 1, got


def test_a_surname_in_a_slavic_case_or_another_transcription_joins_its_person(tmp_path):
    linked = linked_keys(tmp_path, [
        ("bg", [("PER", "Джо Байдън"), ("LOC", "Вашингтон")]), ("ru", [("PER", "Байдена")]),
        ("bg", [("PER", "Байдън")]), ("ru", [("PER", "Байден")]), ("en", [("PER", "Biden")])])
    got = keys_of(linked)
    assert all(got[n] == {"per:jo-baidan"} for n in ("Байдена", "Байдън", "Байден", "Biden"))
    assert ("PER", "Байдена", "per:jo-baidan") in linked


def test_a_surname_two_persons_share_joins_neither(tmp_path):
    got = keys_of(linked_keys(tmp_path, [
        ("bg", [("PER", "Джо Байдън")]), ("bg", [("PER", "Бо Байдън")]),
        ("bg", [("PER", "Байдън")]), ("ru", [("PER", "Байдена")])]))
    assert got["Джо Байдън"] == {"per:jo-baidan"} and got["Бо Байдън"] == {"per:bo-baidan"}
    assert got["Байдън"] == {"per:baidan"} and got["Байдена"] == {"per:baidena"}


def test_one_edit_never_joins_two_first_names():
    counts = {"per:jo-baidan": 3, "per:bo-baidan": 1, "per:jil-biden": 1, "per:jim-biden": 2,
              "per:j-baidan": 1}
    merges = plan_merges(counts, set())
    assert "per:bo-baidan" not in merges and "per:jil-biden" not in merges
    assert merges["per:j-baidan"] == "per:jo-baidan"  # an initial may stand for the name


def test_one_spelling_system_keeps_its_vowels(tmp_path):
    """Two Latin spellings that differ in a vowel are two names; so are two Bulgarian ones."""
    got = keys_of(linked_keys(tmp_path, [
        ("en", [("PER", "Trump")]), ("id", [("PER", "Tramp")]),
        ("bg", [("PER", "Дъбов")]), ("bg", [("PER", "Дубов")])]))
    assert got["Trump"] != got["Tramp"] and got["Дъбов"] != got["Дубов"]


def test_organisation_and_place_of_one_name_share_a_key(tmp_path):
    linked = linked_keys(tmp_path, [
        ("bg", [("ORG", "Конгреса")]), ("bg", [("LOC", "Конгреса")]),
        ("bg", [("ORG", "Конгреса")]), ("bg", [("PER", "Конгреса")])])
    assert sorted(set(linked)) == [("ORG", "Конгреса", "org:kongresa"),
                                   ("PER", "Конгреса", "per:kongresa")]
