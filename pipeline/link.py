"""`lintas link`: one canonical key per real entity across a whole output file.

`lintas run` gives each entity a key within its own document: a Wikidata id when the
gazetteer knows the entity, else ``label:folded-name`` (`pipeline.names`), which already
agrees across documents and scripts for the same full name. What one document cannot know
is that its "Tokayev" is another document's "Kassym-Jomart Tokayev", or that "POSCO" is
"POSCO Group". This pass reads a whole output file, decides such merges corpus-wide, and
rewrites the entity records (``canonical.key`` and ``canonical.name``); everything else is
copied unchanged, in order.

Merges (keys without a Wikidata id, same label only):

- a person's short key whose words are the last words of exactly one longer person key
  in the corpus ("per:tokaev" -> "per:kasim-jomart-tokaev");
- an organisation key that is exactly one longer organisation key without its trailing
  organisation words ("org:posko" -> "org:posko-group");
- a long key (10 characters or more) one edit away from exactly one more frequent key
  (a misspelling);
- a one-word place or organisation key that is the surname of exactly one person of the
  corpus (a mislabelled person: the record's label becomes PER).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from .names import fold

MIN_FUZZY_CHARS = 10


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


def _edits1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _deletions(key: str) -> set[str]:
    """``key`` and every string one deletion away: two keys one edit apart share one."""
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def plan_merges(counts: Counter[str], org_tails: set[str]) -> dict[str, str]:
    """Key -> key it merges into, from the keys of a corpus and how often each occurs.

    Candidates are found through indexes (by a name's last word, its first word, its
    one-deletion variants), so a corpus with many keys costs near-linear time.
    """
    merges: dict[str, str] = {}
    by_label: dict[str, list[str]] = defaultdict(list)
    for key in counts:
        label, parts = _split(key)
        if parts and label in ("per", "org", "loc", "misc"):
            by_label[label].append(key)
    folded_tails = {fold(t) for t in org_tails}
    for label, keys in by_label.items():
        split = {k: _split(k)[1] for k in keys}
        by_last: dict[str, list[str]] = defaultdict(list)
        by_first: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            by_last[split[k][-1]].append(k)
            by_first[split[k][0]].append(k)
        for key in keys:
            parts = split[key]
            targets = []
            if label == "per":
                targets = [o for o in by_last[parts[-1]] if len(split[o]) > len(parts)
                           and split[o][-len(parts):] == parts]
            elif label == "org":
                targets = [o for o in by_first[parts[0]] if len(split[o]) > len(parts)
                           and split[o][:len(parts)] == parts
                           and all(w in folded_tails for w in split[o][len(parts):])]
            if len(targets) == 1:
                merges[key] = targets[0]
        long_keys = [k for k in keys if len(k) >= MIN_FUZZY_CHARS and k not in merges]
        by_deletion: dict[str, list[str]] = defaultdict(list)
        for k in long_keys:
            for variant in _deletions(k):
                by_deletion[variant].append(k)
        for key in long_keys:
            candidates = {o for v in _deletions(key) for o in by_deletion[v]}
            near = [o for o in candidates if o != key and _edits1(key, o)
                    and (counts[o], o) > (counts[key], key)]
            if len(near) == 1:
                merges[key] = near[0]
    # A one-word place or organisation name that is the surname of exactly one person of
    # the corpus is that person mislabelled ("Токаев" tagged LOC where other articles have
    # "Kassym-Jomart Tokayev"); places the gazetteer knows have Wikidata keys, never here.
    persons: dict[str, list[str]] = defaultdict(list)  # surname -> full-name person keys
    for k in by_label.get("per", []):
        if len(_split(k)[1]) >= 2:
            persons[_split(k)[1][-1]].append(k)
    for label in ("loc", "org", "misc"):
        for key in by_label.get(label, []):
            parts = _split(key)[1]
            if len(parts) != 1 or key in merges:
                continue
            owners = {merges.get(p, p) for p in persons.get(parts[0], ())}
            if len(owners) == 1:
                merges[key] = owners.pop()
    # follow chains (a -> b -> c) to their end
    resolved = {}
    for key in merges:
        seen = {key}
        target = merges[key]
        while target in merges and target not in seen:
            seen.add(target)
            target = merges[target]
        resolved[key] = target
    return resolved


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


def link_file(path: str, out: IO[str]) -> LinkSummary:
    """Read the lintas/1 JSONL file at ``path`` twice and write it to ``out``, linked."""
    from .ner_rules import org_words

    summary = LinkSummary()
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    tails: set[str] = set()
    langs: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for _line, rec in _records(fh):
            if rec is None:
                continue
            if rec.get("type") == "document":
                langs.add(str(rec.get("lang") or ""))
            if rec.get("type") == "entity":
                canonical = rec.get("canonical") or {}
                key = canonical.get("key")
                if key and not canonical.get("wikidata"):
                    counts[key] += 1
                    # the longest name seen for the key reads best
                    name = canonical.get("name") or rec.get("name") or key
                    if len(name) > len(names.get(key, "")):
                        names[key] = name
    for lang in langs | {"xx"}:
        tails |= org_words(lang).tails
    merges = plan_merges(counts, tails)
    summary.keys = len(counts)
    summary.merged = merges
    with open(path, encoding="utf-8") as fh:
        for line, rec in _records(fh):
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
