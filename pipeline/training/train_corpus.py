"""The event and claim corpus as the learned heads' trainers read it (issue 13): its documents
rebuilt from ``models/corpus`` and ``../shared/data``, the split into train, inner
validation and dev, and the encoder states of every annotated sentence.

`lintas train events` and `lintas train claims` share all of it (`pipeline.training.train_events`,
`pipeline.training.train_claims`); standard library, numpy and onnxruntime only.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.lexicon.lexicons import models_dir
from pipeline.learned.token_windows import Encoded, TokenStates
from pipeline.evaluation.evaluate_corpus import records_by_document, stretch
from pipeline.stages.clean import Clean, clean_text
from pipeline.core.document import Document
from pipeline.learned.encoder_runtime import OnnxEncoder
from pipeline.io.manifest import file_sha256
from pipeline.learned.onnx_outputs import write_hidden_outputs

INNER_SHARE = 0.15
# the inner split an encoder trained with `corpus_tasks` leaves out, unless its recipe says
# otherwise (`pipeline.training.corpus_tasks.DEFAULTS`; the shipped heads' seed)
CORPUS_TASKS_INNER_SEED = 2
STATES_READ = "batches of one text"  # see encode_documents
Log = Callable[[str], None]


@dataclass
class Sentence:
    """One annotated sentence: offsets into its document's rebuilt text, and its events as
    ``(start, end, type, mode, modality)`` in offsets relative to the sentence."""

    start: int
    end: int
    events: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    # claim cue, speaker and content spans as ``(start, end, kind)``, relative to the
    # sentence: a speaker outside it is left out, a content is cut to it
    claims: list[tuple[int, int, str]] = field(default_factory=list)
    # each event's arguments as ``(role, start, end)`` relative to the sentence (those
    # inside it), in the order of ``events``
    args: list[list[tuple[str, int, int]]] = field(default_factory=list)


@dataclass
class CorpusDoc:
    """One annotated document, rebuilt as `pipeline.evaluation.evaluate_corpus.gold_documents` does."""

    doc: str
    lang: str
    split: str
    text: str
    sentences: list[Sentence]


def annotation_files() -> list[Path]:
    """The corpus' annotation files, one per batch (``<batch>.jsonl``), in name order."""
    return sorted((models_dir() / "corpus" / "annotations").glob("*.jsonl"))


def corpus_sha(skip_batches: Sequence[str] = ()) -> str:
    """sha256 of the corpus' annotation files (names and bytes), in name order, but the
    batches named in ``skip_batches``."""
    return files_sha(((p.name, p.read_bytes) for p in annotation_files()), skip_batches)


def files_sha(files: Iterable[tuple[str, Callable[[], bytes]]],
              skip_batches: Sequence[str] = ()) -> str:
    """`corpus_sha` of annotation files given as ``(file name, read its bytes)`` in name
    order (also those of an earlier commit, read from git), but ``skip_batches``'."""
    h = hashlib.sha256()
    for name, read in files:
        if Path(name).stem not in skip_batches:
            h.update(name.encode() + b"\0" + read())
    return h.hexdigest()


def corpus_documents(limit: int | None = None,
                     skip_batches: Sequence[str] = ()) -> list[CorpusDoc]:
    """Every annotated document in document order (``limit``: the first ``limit`` of each
    split, for quick runs; ``skip_batches``: batches left out, to rebuild heads trained
    before they were annotated), rebuilt as `pipeline.evaluation.evaluate_corpus.gold_documents` does.
    Raises FileNotFoundError without the shared data folder."""
    out: list[CorpusDoc] = []
    taken: Counter = Counter()
    skip = frozenset(skip_batches)
    for doc_id, recs in records_by_document(lambda r: r["batch"] not in skip).items():
        split = recs[0]["split"]
        if limit is not None and taken[split] >= limit:
            continue
        taken[split] += 1
        text, at = stretch(recs)
        sents = []
        for r in recs:
            s0 = r["sentence"]["start"]
            e0 = r["sentence"]["end"]
            sents.append(Sentence(at(s0), at(e0), [
                (e["trigger"]["start"] - s0, e["trigger"]["end"] - s0, e["type"], e["mode"],
                 e["modality"]) for e in r["events"]], sentence_claims(r),
                [[(x["role"], x["start"] - s0, x["end"] - s0) for x in e["args"]
                  if s0 <= x["start"] and x["end"] <= e0] for e in r["events"]]))
        out.append(CorpusDoc(doc_id, recs[0]["lang"], split, text, sents))
    copies = dev_copies(out)
    for d in out:
        if d.doc in copies:
            d.split = DUPLICATE
    return out


DUPLICATE = "duplicate"  # the split of a train document that copies a dev one: never read
SHARED = 0.3  # the share of a document's sentences another must hold to be its copy


def dev_copies(docs: Sequence[CorpusDoc]) -> set[str]:
    """Ids of the train documents that copy a dev or held-out document: news sites reprint
    one agency story, and SlavicNER keeps each copy (bg005 in dev and bg032 in train share
    half their sentences). At least `SHARED` of the smaller one's sentence texts are the
    same. Training never reads them: the dev split would be partly seen."""
    texts = {d.doc: {d.text[s.start:s.end].strip() for s in d.sentences} for d in docs}
    held = [d for d in docs if d.split != "train"]
    out = set()
    for d in docs:
        mine = texts[d.doc]
        if d.split == "train" and mine and any(
                o.lang == d.lang and texts[o.doc] and len(mine & texts[o.doc])
                >= SHARED * min(len(mine), len(texts[o.doc])) for o in held):
            out.add(d.doc)
    return out


def sentence_claims(r: dict[str, Any]) -> list[tuple[int, int, str]]:
    """The cue, speaker and content spans of one corpus record's claims, relative to its
    sentence (`Sentence.claims`)."""
    base, end = r["sentence"]["start"], r["sentence"]["end"]
    out = []
    for c in r["claims"]:
        for kind in ("cue", "speaker"):
            sp = c.get(kind)
            if sp and base <= sp["start"] and sp["end"] <= end:
                out.append((sp["start"] - base, sp["end"] - base, kind))
        s, e = max(c["content"]["start"], base), min(c["content"]["end"], end)
        if e > s:
            out.append((s - base, e - base, "content"))
    return out


def corpus_seen(ner_dir: Path) -> dict[str, Any] | None:
    """The ``corpus_tasks`` settings with which the encoder of ``ner_dir`` learned the corpus
    beside names (`pipeline.training.corpus_tasks`; its recipe ``train.json`` in the model
    folder), or None when it never read the corpus. Such an encoder saw every train
    document but the inner split of ``inner_seed``."""
    recipe = ner_dir / "train.json"
    if not recipe.exists():
        return None
    spec = json.loads(recipe.read_text(encoding="utf-8")).get("corpus_tasks")
    return {"inner_seed": int(spec.get("inner_seed", CORPUS_TASKS_INNER_SEED)),
            "skip_batches": sorted(spec.get("skip_batches") or ())} if spec else None


def check_unseen_inner(ner_dir: Path, seed: int, skip_batches: Sequence[str] = ()) -> bool:
    """Whether the encoder of ``ner_dir`` learned the corpus beside names. Raises ValueError
    (L044) when it did with another inner split than the one of ``seed`` and
    ``skip_batches`` (whose documents it would have seen), since heads would then choose
    their settings on sentences the encoder was trained on."""
    seen = corpus_seen(ner_dir)
    if seen is not None and (seen["inner_seed"], seen["skip_batches"]) != (
            seed, sorted(skip_batches)):
        raise ValueError(f"[L044] {ner_dir} learned the corpus' train documents beside names, "
                         f"all but the inner split of seed {seen['inner_seed']}"
                         + (f" without batches {','.join(seen['skip_batches'])}"
                            if seen["skip_batches"] else "")
                         + f": train the heads with --seed {seen['inner_seed']} and the same "
                         "--skip-batches, so that they choose on documents it never saw")
    return seen is not None


def corpus_splits(seed: int, limit_docs: int | None, log: Log, note: str = "",
                  skip_batches: Sequence[str] = ()
                  ) -> tuple[list[CorpusDoc], set[str], list[CorpusDoc]]:
    """Every corpus document (`corpus_documents`, without ``skip_batches``), the ids of
    the inner split (`inner_split`) and the train documents; logged (with ``note``).
    Raises ValueError when the train split is too small to hold documents out."""
    unknown = sorted(set(skip_batches) - {p.stem for p in annotation_files()})
    if unknown:
        raise ValueError(f"[L029] no such corpus batches: {', '.join(unknown)}")
    docs = corpus_documents(limit_docs, skip_batches)
    held = inner_split(docs, seed)
    if not held:
        raise ValueError("[L027] too few train documents for an inner validation split")
    train_docs = [d for d in docs if d.split == "train"]
    copies = sorted(d.doc for d in docs if d.split == DUPLICATE)
    if skip_batches:
        log(f"batches left out: {', '.join(sorted(skip_batches))}")
    log(f"{len(train_docs)} train documents ({len(held)} held out to choose on), "
        f"{sum(d.split == 'dev' for d in docs)} dev documents never read here"
        + (f", {len(copies)} train documents left out as copies of dev ones "
           f"({', '.join(copies)})" if copies else "") + note)
    return docs, held, train_docs


def provenance(ner_info: dict[str, Any], layer: int, docs: Sequence[CorpusDoc],
               exs: Sequence[Any], held: set[str], limit_docs: int | None,
               skip_batches: Sequence[str] = ()) -> dict[str, Any]:
    """``model.json``'s ``encoder`` (the NER model whose states the heads read) and
    ``corpus`` (what they were trained on) entries."""
    counts = Counter((d.lang, d.split) for d in docs)
    return {"encoder": {"name": ner_info.get("name"), "version": ner_info.get("version"),
                        "onnx_sha256": ner_info["onnx_sha256"], "hidden_layer": layer},
            "corpus": {"sha256": corpus_sha(skip_batches),
                       "documents": {f"{lang} {s}": n for (lang, s), n in sorted(counts.items())},
                       "train_sentences": len(exs), "held_out_documents": sorted(held),
                       "limit_docs": limit_docs,
                       **({"skip_batches": sorted(skip_batches)} if skip_batches else {})}}


def shuffled_by_language(docs: Sequence[CorpusDoc], seed: int) -> list[list[str]]:
    """The ids of the train documents of ``docs``, one list per language in language
    order, each shuffled with one ``random.Random(seed)`` (the inner split and the claims
    trainer's folds draw from it)."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        if d.split == "train":
            by_lang[d.lang].append(d.doc)
    rng = random.Random(seed)
    out = []
    for lang in sorted(by_lang):
        ids = sorted(by_lang[lang])
        rng.shuffle(ids)
        out.append(ids)
    return out


def inner_split(docs: Sequence[CorpusDoc], seed: int, share: float = INNER_SHARE) -> set[str]:
    """Ids of the train documents held out to choose on: ``share`` of each language's
    (at least one), drawn with ``seed``."""
    held: set[str] = set()
    for ids in shuffled_by_language(docs, seed):
        if len(ids) > 1:
            held.update(ids[:max(1, round(share * len(ids)))])
    return held


# ---------------------------------------------------------------------------------------
# States


def clean_document(d: CorpusDoc) -> str:
    """The text the NER stage reads for ``d``: boilerplate blanked by the clean stage."""
    doc = Document(doc_id=d.doc, source=d.doc, text=d.text, lang_hint=d.lang)
    return clean_text(Clean()(doc))


def encode_documents(docs: Sequence[CorpusDoc], ner_dir: Path, layers: Sequence[int],
                     work: Path, log: Log) -> dict[str, TokenStates]:
    """Each document's tokens and hidden states of ``layers``, read by the NER model's int8
    graph (a copy with those outputs, in ``work``); cached in ``work`` by that graph's,
    the texts' and the layers' fingerprints."""
    texts = [clean_document(d) for d in docs]
    work.mkdir(parents=True, exist_ok=True)
    # the graph that is run, whatever hidden output the shipped file has now
    graph = write_hidden_outputs(ner_dir / "model.onnx", work / "encoder-layers.onnx", layers)
    # STATES_READ names how the states are read (batches of one text: `run_windows`), so a
    # cache made by an earlier way of reading them is not taken for this one
    key = hashlib.sha256(json.dumps([file_sha256(graph), list(layers), STATES_READ,
                                     [d.doc for d in docs], texts]).encode()).hexdigest()[:16]
    cache = work / f"states-{key}.npz"
    if cache.exists():
        graph.unlink()
        log(f"states from {cache}")
        with np.load(cache) as z:
            return {d.doc: TokenStates(Encoded(z[f"{i}/ids"], z[f"{i}/starts"], z[f"{i}/ends"],
                                               z[f"{i}/piece"]), tuple(layers), z[f"{i}/states"])
                    for i, d in enumerate(docs)}
    encoder = OnnxEncoder(ner_dir, onnx_file=graph)
    started = time.time()
    out: dict[str, TokenStates] = {}
    for k in range(0, len(docs), 16):  # as the pipeline batches documents
        read = encoder.spans_and_states(texts[k:k + 16], tuple(layers))
        for d, (_, st) in zip(docs[k:k + 16], read):
            out[d.doc] = st
    tokens = sum(len(s.enc) for s in out.values())
    log(f"encoded {len(docs)} documents, {tokens} tokens in {time.time() - started:.0f} s")
    arrays: dict[str, np.ndarray] = {}
    for i, d in enumerate(docs):
        st = out[d.doc]
        arrays.update({f"{i}/ids": st.enc.ids, f"{i}/starts": st.enc.starts,
                       f"{i}/ends": st.enc.ends, f"{i}/piece": st.enc.piece_start,
                       f"{i}/states": st.states})
    np.savez(cache, **arrays)
    graph.unlink()
    return out


@dataclass
class Example:
    """One annotated sentence's tokens (offsets into the sentence), states and gold."""

    doc: str
    lang: str
    text: str
    enc: Encoded
    states: np.ndarray  # tokens x layers x hidden, float16
    events: list[tuple[int, int, str, str, str]]
    claims: list[tuple[int, int, str]] = field(default_factory=list)
    args: list[list[tuple[str, int, int]]] = field(default_factory=list)

    @property
    def triggers(self) -> list[tuple[int, int, str]]:
        return [(s, e, t) for s, e, t, _, _ in self.events]


def examples(docs: Sequence[CorpusDoc], states: dict[str, TokenStates]) -> list[Example]:
    """The annotated sentences with the tokens the NER pass read inside them, sliced as the
    events stage slices them at run time (`events_learned.DocStates.sentence`)."""
    out = []
    for d in docs:
        st = states[d.doc]
        for s in d.sentences:
            i, j = np.searchsorted(st.enc.starts, [s.start, s.end])
            if j <= i:
                continue
            enc = Encoded(st.enc.ids[i:j], st.enc.starts[i:j] - s.start,
                          st.enc.ends[i:j] - s.start, st.enc.piece_start[i:j])
            out.append(Example(d.doc, d.lang, d.text[s.start:s.end], enc, st.states[i:j],
                               s.events, s.claims, s.args))
    return out
