"""`lintas evaluate events|claims`: the event and claim stages scored on the team's corpus.

The corpus (`models/corpus/`, its guideline `GUIDELINE.md`) holds hand-annotated sentences of
real news with offsets into ``../shared/data`` (or ``$LINTAS_DATA``). Each annotated document
is rebuilt as the stretch of its source from its first to its last annotated sentence (in a
CoNLL-U source, UD id-csui, its sentences' text lines joined, without the token tables), run
through `lintas run`'s stages with its language forced, and what the stages find in the
annotated sentences is compared with the annotation (whatever lies between two annotated
sentences is read as context and not scored):

- **trigger + type**: an event is right when its trigger has the gold trigger's start and
  end and its type is the gold type (``exact``); ``overlap`` also counts a trigger that
  shares characters with the gold one (a lexicon phrase "подписаха споразумение" for the
  gold "подписаха");
- **argument role**: over events paired by ``overlap``, an argument is right when it has the
  gold role and shares at least half of the longer span with the gold argument or with
  the name it stands for (its ``ref``: a pronoun argument, "которые", and its antecedent,
  GUIDELINE 2.4), as a claim's speaker may match its ``speaker_ref``; predicted
  arguments of unpaired events count as wrong, gold ones as missed. An event's ``time``
  is the argument ``time``;
- **claim speaker + content**: a claim is right when its content shares at least half of
  the longer of the two contents with the gold one, and its speaker overlaps the gold
  speaker or the name it stands for (``speaker_ref``), or both have none; ``content``
  scores the content alone; ``attributed`` is speaker + content without lintas'
  unattributed figures (kind ``factual``, no speaker: "lebih dari 80 persen minyak
  Kazakhstan diekspor melalui Rusia"), which lintas/1 records and the corpus does not
  annotate (a statement in the journalist's own voice is no claim there), so they can only
  count as wrong in ``speaker_content``. A claim belongs to the sentence of its cue (of its
  content's start when it has no cue).

Every figure is per language and over all, micro-averaged. The gold matches at most one
prediction (greedy, in text order).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.core import PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.learned.event_features import overlap_ratio
from pipeline.lexicon.lexicons import models_dir
from pipeline.core.core import DEFAULT_STAGES
from pipeline.stages.ner_stage import STATES

Span = tuple[int, int]
SAMPLES = "samples"  # the split of the sample articles' own annotation (corpuslib.SAMPLES_SPLIT)


def _corpus_modules() -> Any:
    """The corpus' own loader (`models/corpus/validate.py`), which reads the sources."""
    folder = str(models_dir() / "corpus")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import validate  # type: ignore[import-not-found]

    return validate


@dataclass
class GoldDoc:
    """One annotated document, as the stretch of its source that holds its sentences."""

    doc: str
    lang: str
    text: str
    sentences: list[Span]  # offsets into ``text``
    events: list[dict[str, Any]] = field(default_factory=list)  # offsets into ``text``
    claims: list[dict[str, Any]] = field(default_factory=list)


def _shift(span: dict[str, Any] | None, at: Callable[[int], int]) -> Span | None:
    return None if span is None else (at(span["start"]), at(span["end"]))


def records_by_document(keep: Any = None, paths: list[Path] | None = None
                        ) -> dict[str, list[dict[str, Any]]]:
    """The corpus' records (or those of the annotation files ``paths``) that
    ``keep(record)`` accepts (default: all), per document id in id order, each document's
    records in text order."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in _corpus_modules().load(paths):
        if keep is None or keep(rec):
            by_doc[rec["doc"]].append(rec)
    return {d: sorted(by_doc[d], key=lambda r: r["sentence"]["start"]) for d in sorted(by_doc)}


def stretch(recs: list[dict[str, Any]]) -> tuple[str, Callable[[int], int]]:
    """The text of one document's records' stretch of their source, from the first to the
    last annotated character (a quote may run past its sentence), and the map from source
    offsets to offsets in that text. In a CoNLL-U source (UD id-csui) only the sentences'
    ``# text`` lines are text: they are joined by line breaks, and the token tables
    between them are left out. Raises FileNotFoundError without the shared data folder."""
    source = _corpus_modules().cl.read_source(recs[0]["source"])
    if recs[0]["source"].endswith(".conllu"):
        spans = sorted({(r["sentence"]["start"], r["sentence"]["end"]) for r in recs})
        bases, parts, n = [], [], 0
        for s0, e0 in spans:
            bases.append((s0, e0, n))
            parts.append(source[s0:e0])
            n += e0 - s0 + 1

        def at_line(pos: int) -> int:
            for s0, e0, base in bases:
                if s0 <= pos <= e0:
                    return base + pos - s0
            raise ValueError(f"offset {pos} is outside the annotated sentences")

        return "\n".join(parts), at_line
    starts = [r["sentence"]["start"] for r in recs]
    ends = [r["sentence"]["end"] for r in recs]
    for r in recs:
        for c in r["claims"]:
            starts.append(c["content"]["start"])
            ends.append(c["content"]["end"])
    a, b = min(starts), max(ends)
    return source[a:b], lambda pos: pos - a


def gold_documents(split: str = "dev", langs: Iterable[str] | None = None,
                   source: str = "") -> list[GoldDoc]:
    """The corpus' documents of ``split`` (``dev``, ``train``, ``heldout`` or ``all``) in ``langs``
    (default: every language) whose source path holds ``source`` (e.g. "ntrex"), with gold
    events and claims in offsets of the rebuilt text. Raises FileNotFoundError when the
    shared data folder is missing. ``samples``: the sample articles (seeds/), annotated apart
    from the corpus (`models/corpus/samples.py`); they need no data folder."""
    wanted = set(langs) if langs else None
    paths = [_corpus_modules().cl.SAMPLES_FILE] if split == SAMPLES else None
    by_doc = records_by_document(lambda rec: (split == "all" or rec["split"] == split)
                                 and (wanted is None or rec["lang"] in wanted)
                                 and source in rec["source"], paths)
    out = []
    for doc_id, recs in by_doc.items():
        text, at = stretch(recs)
        out.append(gold_document(doc_id, recs, text, at))
    return out


def gold_document(doc_id: str, recs: list[dict[str, Any]], text: str,
                  at: Callable[[int], int]) -> GoldDoc:
    """One document's records as a `GoldDoc` over ``text``, the stretch `stretch` gave
    (``at`` maps source offsets into it)."""
    gold = GoldDoc(doc_id, recs[0]["lang"], text,
                   [(at(r["sentence"]["start"]), at(r["sentence"]["end"])) for r in recs])
    for r in recs:
        for ev in r["events"]:
            # a gold argument is (role, its span[, the span of the name it stands for])
            args = [(x["role"], *_spans_in_text((x, x.get("ref")), at)) for x in ev["args"]]
            gold.events.append({"type": ev["type"], "trigger": _shift(ev["trigger"], at),
                                "modality": ev["modality"], "args": args})
        for c in r["claims"]:
            speakers = _spans_in_text((c["speaker"], c.get("speaker_ref")), at)
            anchor = c["cue"]["start"] if c["cue"] else c["content"]["start"]
            gold.claims.append({"kind": c["kind"], "speakers": speakers,
                                "content": _shift(c["content"], at), "anchor": at(anchor)})
    return gold


def _spans_in_text(spans: Iterable[dict[str, Any] | None], at: Callable[[int], int]) -> list[Span]:
    """The given spans (None for a field the record leaves empty) that lie in the rebuilt
    text, mapped into it: a ``ref`` or ``speaker_ref`` may point before the stretch."""
    return [(at(sp["start"]), at(sp["end"])) for sp in spans if sp is not None and _in_text(sp, at)]


def _in_text(span: dict[str, Any], at: Callable[[int], int]) -> bool:
    """Whether a span lies in the rebuilt text (a ``speaker_ref`` may point before it)."""
    try:
        return at(span["start"]) >= 0
    except ValueError:
        return False


def _inside(pos: int, sentences: list[Span]) -> bool:
    return any(s <= pos < e for s, e in sentences)


def overlap(a: Span, b: Span) -> int:
    """The characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def shares_half(a: Span, b: Span) -> bool:
    """At least half of the longer span shared."""
    return overlap_ratio(a, b) >= 0.5


def same_speaker(p: dict[str, Any], g: dict[str, Any]) -> bool:
    """Whether claim ``p``'s speakers match gold claim ``g``'s: one overlaps one of the gold
    speakers (the speaker or the name it stands for), or neither claim has any."""
    if not g["speakers"]:
        return not p["speakers"]
    return any(overlap(s, t) > 0 for s in p["speakers"] for t in g["speakers"])


def predicted(doc: Document, sentences: list[Span]) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """The events and claims of a processed document that lie in ``sentences``, in the
    form of `gold_documents`' events and claims."""
    events = []
    for ev in doc.events:
        if not _inside(ev.trigger.start, sentences):
            continue
        args = [(x.role, (x.start, x.end)) for x in ev.arguments]
        if ev.time_span is not None:
            args.append(("time", (ev.time_span.start, ev.time_span.end)))
        events.append({"type": ev.event_type, "trigger": (ev.trigger.start, ev.trigger.end),
                       "modality": ev.modality, "args": args})
    claims = []
    for c in doc.claims:
        anchor = c.cue.start if c.cue is not None else c.content.start
        if not _inside(anchor, sentences):
            continue
        speakers = [(c.speaker.start, c.speaker.end)] if c.speaker is not None else []
        if c.speaker_entity is not None:  # a pronoun speaker stands for its entity's names
            speakers += [(m.start, m.end) for m in c.speaker_entity.mentions]
        claims.append({"kind": c.kind, "speakers": speakers,
                       "content": (c.content.start, c.content.end), "anchor": anchor})
    return events, claims


def _pairs(pred: list[Any], gold: list[Any], same: Any) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(pred index, gold index)`` where ``same(p, g)``."""
    used: set[int] = set()
    out = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if j not in used and same(p, g):
                used.add(j)
                out.append((i, j))
                break
    return out


def same_argument(p: tuple[Any, ...], g: tuple[Any, ...]) -> bool:
    """Whether predicted argument ``p`` (role, span) is gold argument ``g`` (role, span and
    optionally the span of the name it stands for): the same role, and half of the longer
    span shared with the gold span or with that name."""
    return p[0] == g[0] and any(shares_half(p[1], t) for t in g[1:])


def same_event(p: dict[str, Any], g: dict[str, Any]) -> bool:
    """Whether predicted event ``p`` is gold event ``g`` as ``trigger_type_overlap`` counts
    it: the same type, and triggers that overlap."""
    return bool(p["type"] == g["type"] and overlap(p["trigger"], g["trigger"]) > 0)


def same_claim(p: dict[str, Any], g: dict[str, Any]) -> bool:
    """Whether predicted claim ``p`` is gold claim ``g`` as ``speaker_content`` counts it:
    half of the longer content shared, and the speaker matching (`same_speaker`)."""
    return shares_half(p["content"], g["content"]) and same_speaker(p, g)


def score_events(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Counts ``[true positives, predicted, gold]`` for one document's events."""
    exact = _pairs(pred, gold, lambda p, g: p["type"] == g["type"] and p["trigger"] == g["trigger"])
    loose = _pairs(pred, gold, same_event)
    arg_tp = 0
    modality_right = 0
    for i, j in loose:
        arg_tp += len(_pairs(pred[i]["args"], gold[j]["args"],
                             same_argument))
        modality_right += pred[i]["modality"] == gold[j]["modality"]
    return {"trigger_type": [len(exact), len(pred), len(gold)],
            "trigger_type_overlap": [len(loose), len(pred), len(gold)],
            "argument_role": [arg_tp, sum(len(p["args"]) for p in pred),
                              sum(len(g["args"]) for g in gold)],
            "modality_of_paired": [modality_right, len(loose), len(loose)]}


def found_gold(what: str, pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> set[int]:
    """The indices of ``gold``'s events (right type, overlapping trigger) or claims (right
    speaker and content, as ``speaker_content`` counts them) that ``pred`` finds."""
    return {j for _, j in _pairs(pred, gold, same_event if what == "events" else same_claim)}


def unattributed(p: dict[str, Any]) -> bool:
    """Whether predicted claim ``p`` is one of lintas' unattributed figures (kind
    ``factual`` with no speaker, `pipeline.stages.claims`), a kind the corpus does not
    annotate: GUIDELINE 3 makes a statement in the journalist's own voice no claim."""
    return p["kind"] == "factual" and not p["speakers"]


def score_claims(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Counts ``[true positives, predicted, gold]`` for one document's claims:
    ``speaker_content`` and ``content`` over every predicted claim, ``attributed`` as
    ``speaker_content`` without the unattributed figures (`unattributed`), which the gold
    cannot hold, as NER scores leave out a label the gold does not annotate."""
    both = _pairs(pred, gold, same_claim)
    content = _pairs(pred, gold, lambda p, g: shares_half(p["content"], g["content"]))
    kept = [p for p in pred if not unattributed(p)]
    return {"speaker_content": [len(both), len(pred), len(gold)],
            "content": [len(content), len(pred), len(gold)],
            "attributed": [len(_pairs(kept, gold, same_claim)), len(kept), len(gold)]}


def prf(tp: int, npred: int, ngold: int) -> dict[str, float | int]:
    """Precision, recall, F1 and the counts they come from."""
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f": round(f, 3), "tp": tp, "pred": npred,
            "gold": ngold}


Totals = dict[str, dict[str, list[int]]]


def new_totals() -> Totals:
    """Counts per language and metric, all ``[0, 0, 0]`` until added to."""
    return defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))


def add_counts(totals: Totals, lang: str, counts: dict[str, list[int]]) -> None:
    """Add one document's counts (metric -> ``[tp, predicted, gold]``) to its language's
    totals and to ``all``'s."""
    for key in (lang, "all"):
        for name, c in counts.items():
            totals[key][name] = [x + y for x, y in zip(totals[key][name], c)]


def score_table(totals: Totals) -> dict[str, dict[str, dict[str, float | int]]]:
    """`prf` per language and metric, ``all`` last."""
    return {lang: {name: prf(*c) for name, c in per.items()}
            for lang, per in sorted(totals.items(), key=lambda kv: kv[0] == "all")}


def evaluate_corpus(what: str, split: str = "dev", langs: Iterable[str] | None = None,
                    config: PipelineConfig | None = None, source: str = "") -> dict[str, Any]:
    """Scores of the ``events`` or ``claims`` stage per language and ``all`` on the corpus'
    ``split`` (documents whose source path holds ``source``), through `lintas run`'s
    stages (``config``: default, `PipelineConfig()`)."""
    if what not in ("events", "claims"):
        raise ValueError(f"[L022] nothing to evaluate called {what!r}: events or claims")
    nlp = build_pipeline(config or PipelineConfig())
    totals = new_totals()
    docs = gold_documents(split, langs, source)
    for gold in docs:
        doc = nlp(Document(doc_id=gold.doc, source=gold.doc, text=gold.text, lang_hint=gold.lang))
        events, claims = predicted(doc, gold.sentences)
        counts = (score_events(events, gold.events) if what == "events"
                  else score_claims(claims, gold.claims))
        add_counts(totals, gold.lang, counts)
    return {"what": what, "split": split, "documents": len(docs), "scores": score_table(totals)}


def variant_scores(what: str, golds: Iterable[GoldDoc],
                   variants: dict[str, Callable[[Document], Document]],
                   ner_options: dict[str, dict[str, Any]] | None = None
                   ) -> dict[str, dict[str, dict[str, dict[str, float | int]]]]:
    """Scores of several versions of the ``events`` or ``claims`` stage (``variants``: name
    -> the stage) on ``golds``: each document read once by `lintas run`'s default stages up
    to that stage, with the NER pass's states kept, then by each variant. Per variant,
    language (and ``all``) and metric, as `evaluate_corpus` gives them."""
    before = DEFAULT_STAGES[:DEFAULT_STAGES.index(what)]
    nlp = build_pipeline(PipelineConfig(stages=before, ner_options=ner_options or {}))
    for stage in nlp.stages:
        if stage.name == "ner":
            stage.keep_states = True  # as when a learned stage reads them
        if hasattr(stage, "pop_states"):
            stage.pop_states = False  # the claims stage leaves them to the variants
    totals = {v: new_totals() for v in variants}
    for gold in golds:
        doc = nlp(Document(doc_id=gold.doc, source=gold.doc, text=gold.text,
                           lang_hint=gold.lang))
        cached = doc.cache.get(STATES)
        for name, stage in variants.items():
            if cached is not None:
                doc.cache[STATES] = cached  # each variant reads them (a stage may pop them)
            stage(doc)
            events, claims = predicted(doc, gold.sentences)
            counts = (score_events(events, gold.events) if what == "events"
                      else score_claims(claims, gold.claims))
            add_counts(totals[name], gold.lang, counts)
    return {name: {lang: {m: prf(*c) for m, c in per.items()} for lang, per in langs.items()}
            for name, langs in totals.items()}


def format_scores(result: dict[str, Any]) -> str:
    """A plain-text table of an `evaluate_corpus` result."""
    names = list(next(iter(result["scores"].values())).keys())
    lines = [f"{result['what']} on the corpus' {result['split']} split, "
             f"{result['documents']} documents (P / R / F1, gold count)",
             "lang  " + "".join(f"{n:>30}" for n in names)]
    for lang, per in result["scores"].items():
        cells = "".join(f"{s['p']:>8.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['gold']:>8}"
                        for s in per.values())
        lines.append(f"{lang:<6}{cells}")
    return "\n".join(lines)
