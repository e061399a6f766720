"""`lintas link`: one canonical key per real entity across a whole output file.

`lintas run` gives each entity a key within its own document: a Wikidata id when the
gazetteer knows the entity, else ``label:folded-name`` (`pipeline.text.names`), which already
agrees across documents and scripts for the same full name. What one document cannot know
is that its "Tokayev" is another document's "Kassym-Jomart Tokayev", that "POSCO" is
"POSCO Group", or that a Bulgarian "Байдън" is a Russian "Байден". This pass reads a whole
output file, decides such merges corpus-wide, and rewrites the entity records
(``canonical.key``, ``canonical.name``, and ``label`` to the label of the key merged
into); everything else is copied unchanged, in order.

Merges (keys without a Wikidata id only):

- a person's short key whose words are the last words of exactly one longer person key
  in the corpus ("per:tokaev" -> "per:kasim-jomart-tokaev"); a one-word person name also
  in a Slavic case ("Байдена", "Путину") or as another spelling system writes it ("Trump"
  for "Доналд Тръмп"); two persons with that surname: no merge;
- an organisation key that is exactly one longer organisation key without its trailing
  organisation words ("org:posko" -> "org:posko-group");
- a long key (10 characters or more) one edit away from exactly one more frequent key
  (a misspelling), never between two different first names ("Бо Байдън" / "Джо Байдън");
- a person key that another spelling system writes with one other vowel ("per:trump" /
  "per:tramp" from "Трамп", "per:jo-baidan" / "per:joe-biden"): Cyrillic transcribes a
  name as it sounds, each language by its own convention; two keys seen in the same
  spelling system are kept apart (`pipeline.text.names.spelling_system`);
- a one-word place or organisation key that is the surname of exactly one person of the
  corpus (a mislabelled person: the record's label becomes PER);
- the ORG and LOC keys of one name ("org:kongresa" / "loc:kongresa"): the label a model
  gave is no part of an organisation's or a place's identity; the more frequent key wins.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pipeline.text.edits import DeletionIndex, one_edit
from pipeline.text.short_forms import Phrases, ShortForms
from pipeline.text.names import case_stems, consonants, frame, spelling_system, vowel_distance
from pipeline.io.shards import part_paths
from pipeline.ner.words import org_words

MIN_FUZZY_CHARS = 10
MIN_SOUND_CONSONANTS = 3  # "Li" / "Lee" / "Lu": too short to tell by consonants


@dataclass
class LinkSummary:
    """What `link_file` did."""

    records: int = 0
    entities: int = 0
    keys: int = 0
    merged: dict[str, str] = field(default_factory=dict)
    bad_lines: int = 0

    def line(self) -> str:
        return (f"lintas link: {self.records} records, {self.entities} entities, {self.keys} "
                f"keys, {len(self.merged)} merged into others"
                + (f", {self.bad_lines} unreadable lines copied as they were"
                   if self.bad_lines else ""))


def _split(key: str) -> tuple[str, list[str]]:
    label, _, name = key.partition(":")
    return label, [w for w in name.split("-") if w]


def _name(key: str) -> str:
    return key.partition(":")[2]


def _first_names_agree(a: list[str], b: list[str], loose: bool = False) -> bool:
    """Whether two person names may be one person as far as their first names go: equal,
    one the initial of the other, or (``loose``, across spelling systems) differing only
    in a vowel a transcription adds or drops ("joe" / "jo"). A one-word name has none."""
    if len(a) < 2 or len(b) < 2:
        return True
    x, y = a[0], b[0]
    if x == y or (min(len(x), len(y)) == 1 and x[0] == y[0]):
        return True
    return loose and vowel_distance(x, y) == 0


def _sound_alike(name_a: str, name_b: str, key_a: str, key_b: str,
                 systems: Mapping[str, set[str]]) -> bool:
    """Two folded names are one name spelled by two conventions: the keys they come from
    were seen in no common spelling system, and the names have the same consonants and
    syllables and at most one other vowel (`pipeline.text.names.vowel_distance`)."""
    if (consonants(name_a) < MIN_SOUND_CONSONANTS
            or systems.get(key_a, set()) & systems.get(key_b, set())):
        return False
    distance = vowel_distance(name_a, name_b)
    return distance is not None and distance <= 1


class _Keys:
    """The keys of one label, with the indexes that find merge candidates in near-linear
    time (by a name's last word, its first word, its frame, its one-deletion variants)."""

    def __init__(self, keys: list[str]) -> None:
        self.parts = {k: _split(k)[1] for k in keys}
        self.names = ShortForms((k, self.parts[k]) for k in keys)
        self.by_last_frame: dict[str, list[str]] = defaultdict(list)
        self.by_frame: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            parts = self.parts[k]
            self.by_last_frame[frame(parts[-1])].append(k)
            self.by_frame[frame(_name(k))].append(k)


def _person_short_forms(key: str, index: _Keys,
                        systems: Mapping[str, set[str]] | None) -> list[str]:
    """The longer person keys that ``key`` is the last words of.

    A one-word name (a surname) that is no person's last word as it is spelled may be one
    in a Slavic case ("baidena" of "...-baiden"), and else, across spelling systems, with
    another vowel ("baiden" of "jo-baidan"); the closer reading wins, so "Захарова" is
    Мария Захарова's surname before it is Сергей Захаров's genitive.
    """
    parts = index.parts[key]
    exact = index.names.ending_with(parts)
    if exact or len(parts) != 1:
        return exact
    stems = case_stems(parts[0])
    inflected = {o for stem in stems for o in index.names.ending_with([stem])}
    if inflected or systems is None:
        return sorted(inflected)
    return sorted(o for stem in stems if consonants(stem) >= MIN_SOUND_CONSONANTS
                  for o in index.by_last_frame[frame(stem)]
                  if len(index.parts[o]) > 1
                  and _sound_alike(stem, index.parts[o][-1], key, o, systems))


def _org_short_forms(key: str, index: _Keys,
                     tails: Phrases) -> list[str]:
    """The longer organisation keys that are ``key`` and organisation words after it."""
    return index.names.starting_with(index.parts[key], tails)


def _variants(label: str, index: _Keys, keys: list[str], counts: Mapping[str, int],
              systems: Mapping[str, set[str]] | None) -> dict[str, str]:
    """Key -> the more frequent key it is another spelling of: a misspelling (one edit, 10
    characters or more) or, for persons, another spelling system's transcription.

    Keys are decided most frequent first, so a key near several others merges when they
    all lead to one key."""
    rank = {k: (counts[k], k) for k in keys}
    pool = set(keys)
    by_deletion = DeletionIndex(k for k in keys if len(k) >= MIN_FUZZY_CHARS)
    out: dict[str, str] = {}
    for key in sorted(keys, key=rank.__getitem__, reverse=True):
        parts = index.parts[key]
        near = set()
        if len(key) >= MIN_FUZZY_CHARS:
            near = {o for o in by_deletion.near(key)
                    if one_edit(key, o)
                    and (label != "per" or _first_names_agree(parts, index.parts[o]))}
        if (label == "per" and systems is not None
                and consonants(_name(key)) >= MIN_SOUND_CONSONANTS):
            near |= {o for o in index.by_frame[frame(_name(key))] if o in pool and o != key
                     and _sound_alike(_name(key), _name(o), key, o, systems)
                     and _first_names_agree(parts, index.parts[o], loose=True)}
        targets = {_follow(o, out) for o in near if rank[o] > rank[key]}
        if len(targets) == 1:
            out[key] = targets.pop()
    return out


def _follow(key: str, *maps: Mapping[str, str]) -> str:
    """Where ``key`` ends up through the merges in ``maps`` (chains followed, no loops)."""
    seen = {key}
    while True:
        nxt = next((m[key] for m in maps if key in m), None)
        if nxt is None or nxt in seen:
            return key
        seen.add(nxt)
        key = nxt


def _merge(merges: dict[str, str], key: str, target: str) -> None:
    """Record that ``key`` merges into ``target``, unless it is decided already or
    ``target`` leads back to ``key`` (two rules that point opposite ways: keep both)."""
    if key not in merges and _follow(target, merges) != key:
        merges[key] = target


def _mislabelled_persons(by_label: Mapping[str, list[str]], merges: dict[str, str]) -> None:
    """A one-word place or organisation name that is the surname of exactly one person of
    the corpus is that person mislabelled ("Токаев" tagged LOC where other articles have
    "Kassym-Jomart Tokayev"); places the gazetteer knows have Wikidata keys, never here."""
    persons = ShortForms((k, _split(k)[1]) for k in by_label.get("per", []))
    for label in ("loc", "org", "misc"):
        for key in by_label.get(label, []):
            parts = _split(key)[1]
            if len(parts) != 1 or key in merges:
                continue
            owners = {_follow(p, merges) for p in persons.ending_with(parts)}
            if len(owners) == 1:
                _merge(merges, key, owners.pop())


def _places_and_organisations(by_label: Mapping[str, list[str]], counts: Mapping[str, int],
                              merges: dict[str, str]) -> None:
    """The ORG and LOC keys of one name become one ("Конгреса" tagged either way): into
    the one already merged elsewhere, else into the more frequent (ties: "org")."""
    places = set(by_label.get("loc", []))
    for org in by_label.get("org", []):
        loc = "loc:" + org.partition(":")[2]
        if loc not in places or (org in merges and loc in merges):
            continue
        if org in merges or loc in merges:
            source, target = (loc, org) if org in merges else (org, loc)
        else:
            source, target = sorted((org, loc), key=lambda k: (counts[k], k))
        _merge(merges, source, target)


def plan_merges(counts: Mapping[str, int], org_tails: set[str],
                systems: Mapping[str, set[str]] | None = None) -> dict[str, str]:
    """Key -> key it merges into, from the keys of a corpus and how often each occurs.

    ``systems`` (key -> the spelling systems its names were seen in,
    `pipeline.text.names.spelling_system`) allows the merges across transcriptions; without it
    keys meet only as they are spelled. Candidates are found through indexes, so a
    corpus with many keys costs near-linear time.
    """
    by_label: dict[str, list[str]] = defaultdict(list)
    for key in counts:
        label, parts = _split(key)
        if parts and label in ("per", "org", "loc", "misc"):
            by_label[label].append(key)
    tails = Phrases(org_tails)  # "S.A.": the parts "s", "a" of a key
    merges: dict[str, str] = {}
    for label, keys in by_label.items():
        index = _Keys(keys)
        short = {k: (_person_short_forms(k, index, systems) if label == "per" else
                     _org_short_forms(k, index, tails) if label == "org" else [])
                 for k in keys}
        variants = _variants(label, index, [k for k in keys if not short[k]], counts, systems)
        # longest first: a short form of a short form ("tokaev" of "jomart-tokaev" of
        # "kasim-jomart-tokaev") counts the one person both stand for
        for key in sorted(keys, key=lambda k: -len(index.parts[k])):
            owners = {_follow(t, merges, variants) for t in short[key]}
            if len(owners) == 1:
                _merge(merges, key, owners.pop())
        for key, target in variants.items():
            _merge(merges, key, target)
    _mislabelled_persons(by_label, merges)
    _places_and_organisations(by_label, counts, merges)
    resolved = {key: _follow(key, merges) for key in merges}
    return {k: v for k, v in resolved.items() if k != v}


def _records(lines: Iterable[str]) -> Iterable[tuple[str, dict | None]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            yield line, None
            continue
        yield line, obj if isinstance(obj, dict) else None


def _entity_names(rec: dict) -> list[str]:
    """The names an entity record was written with: its name and its mentions' texts."""
    names = [rec.get("name")] + [m.get("text") for m in rec.get("mentions") or []
                                 if isinstance(m, dict)]
    return [n for n in names if isinstance(n, str) and n]


def record_files(path: str) -> list[str]:
    """The JSONL files of a `lintas run` output: the file itself, or the parts of a complete
    --out-dir folder in order (checked against its journal once, here; raises
    `FolderError` for an unfinished folder)."""
    if os.path.isdir(path):
        return [str(p) for p in part_paths(Path(path))]
    return [path]


def _lines(files: list[str]) -> Iterator[str]:
    for path in files:
        with open(path, encoding="utf-8") as fh:
            yield from fh


def link_file(path: str, out: IO[str], files: list[str] | None = None) -> LinkSummary:
    """Read the lintas/1 JSONL file (or --out-dir folder) at ``path`` twice and write it to
    ``out``, linked. ``files``: its `record_files`, when the caller has them already."""
    files = files if files is not None else record_files(path)

    summary = LinkSummary()
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    systems: dict[str, set[str]] = defaultdict(set)
    tails: set[str] = set()
    langs: dict[str, str] = {}  # doc_id -> language
    for _line, rec in _records(_lines(files)):
        if rec is None:
            continue
        if rec.get("type") == "document":
            langs[str(rec.get("doc_id"))] = str(rec.get("lang") or "")
        if rec.get("type") == "entity":
            canonical = rec.get("canonical") or {}
            key = canonical.get("key")
            if key and not canonical.get("wikidata"):
                counts[key] += 1
                # the longest name seen for the key reads best
                name = canonical.get("name") or rec.get("name") or key
                if len(name) > len(names.get(key, "")):
                    names[key] = name
                lang = langs.get(str(rec.get("doc_id")), "")
                systems[key].update(spelling_system(n, lang) for n in _entity_names(rec))
    for lang in set(langs.values()) | {"xx"}:
        tails |= org_words(lang).tails
    merges = plan_merges(counts, tails, systems)
    summary.keys = len(counts)
    summary.merged = merges
    for line, rec in _records(_lines(files)):
        summary.records += 1
        if rec is None:
            summary.bad_lines += 1
            out.write(line if line.endswith("\n") else line + "\n")
            continue
        if rec.get("type") == "entity":
            summary.entities += 1
            canonical = rec.get("canonical") or {}
            target = merges.get(canonical.get("key", ""))
            if target is not None:
                rec["canonical"] = {**canonical, "key": target, "name": names[target]}
                rec["label"] = target.split(":", 1)[0].upper()
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return summary
