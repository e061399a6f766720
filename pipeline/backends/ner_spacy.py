"""NER with the spaCy models that lintas trains and ships (``models/ner-LANG``), or with
an installed spaCy package named in the language's ``settings.tsv`` (``spacy_package``:
English uses spaCy's own ``en_core_web_sm`` when it is installed, `pip install
"lintas[en]"`; its labels are mapped by ``spacy_labels``, PERSON:PER GPE:LOC …).

The model reads lintas' own tokens (so what `lintas evaluate` measures is what `lintas run`
produces), in windows of whole sentences; a sentence longer than a window is cut into
overlapping windows and each entity is kept from the window where it is farthest from an
edge, so none is lost or shifted at a border. What it finds is the model's own output: the
NER rules are a stage of their own after the backends (`pipeline.stages.ner_rule_stage`).

With ``vote=True`` (`lintas run --vote`) the models in the model folder's ``members/`` (the
same recipe trained with other seeds) vote with it: a name is kept when more than half of
the models tag it with the same boundaries and label (`vote`). Off by default: each member
costs a model run (Indonesian, five models: +1.4 F1 on NERGrit valid, about 4 times slower).
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path
from typing import Any

from pipeline.core.document import Document, Mention
from pipeline.core.errors import MissingDependency
from pipeline.lexicon.lexicons import models_dir, settings

WINDOW_TOKENS = 1000
MEMBERS = "members"  # sub-folder of a model folder with the models that vote with it
BATCH_TOKENS = 16000
OVERLAP_TOKENS = 64
DEFAULT_CONFIDENCE = 0.75


class SpacyNer:
    """NER backend over spaCy pipelines; one model per language, loaded once per process."""

    name = "spacy"

    def __init__(self, model_dir: str | None = None, require_capital: bool = True,
                 vote: bool = False) -> None:
        # model_dir: one model folder to use for every language (evaluation of a new model)
        self.model_dir = Path(model_dir) if model_dir else None
        self.require_capital = require_capital
        self.vote = vote  # True: the models in the model folder's members/ vote with it
        self._models: dict[str, Any] = {}
        self._voters: dict[str, list[Any]] = {}  # the members' pipelines, per language
        self._info: dict[str, dict[str, Any]] = {}
        self._paths: dict[str, Path | None] = {}  # supports() runs per document: no disk look

    def model_path(self, lang: str) -> Path | str | None:
        """The model folder for ``lang``, else the name of an installed spaCy package that
        ``settings.tsv`` names for it, else None."""
        if lang not in self._paths:
            path = self.model_dir or models_dir() / f"ner-{lang}"
            found = (path / "config.cfg").exists() and (path / "ner").is_dir()
            self._paths[lang] = path if found else (None if self.model_dir else
                                                    installed_package(lang))
        return self._paths[lang]

    def supports(self, lang: str) -> bool:
        return self.model_path(lang) is not None

    def load(self, lang: str) -> Any:
        """The spaCy pipeline for ``lang`` (cached)."""
        if lang not in self._models:
            path = self.model_path(lang)
            if path is None:
                raise MissingDependency(f"a NER model for {lang!r}",
                                        f"lintas train ner --lang {lang} … --out models/ner-{lang}")
            import spacy

            from pipeline.text import spacy_util  # noqa: F401 - registers the tokenizer the models name

            if isinstance(path, str):
                # a package's other components (tagger, parser …) are not needed
                nlp = spacy.load(path, exclude=["tokenizer", "tagger", "parser", "senter",
                                                "attribute_ruler", "lemmatizer"])
                self._info[lang] = {"version": f"spacy {path} {nlp.meta.get('version', '')}",
                                    "confidence": {}, "labels": package_labels(lang)}
            else:
                nlp = spacy.load(path, exclude=["tokenizer"])
                self._info[lang] = _model_info(path, nlp)
                folders = member_folders(path) if self.vote else []
                self._voters[lang] = [spacy.load(f, exclude=["tokenizer"]) for f in folders]
                if folders:
                    self._info[lang]["version"] += f" (vote of {len(folders) + 1})"
            self._models[lang] = nlp
        return self._models[lang]

    def version(self, lang: str | None = None) -> str:
        if lang and lang in self._info:
            return self._info[lang]["version"]
        return "lintas-ner (spaCy)"

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def find_batch(self, docs: list[Document], texts: list[str]) -> list[list[Mention]]:
        """Mentions for several documents; one model call per language for all of them."""
        out: list[list[Mention]] = [[] for _ in docs]
        by_lang: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            by_lang.setdefault(doc.lang or "und", []).append(i)
        for lang, idx in by_lang.items():
            nlp = self.load(lang)
            info = self._info[lang]
            jobs = [(texts[i], docs[i].token_offsets.starts, docs[i].token_offsets.ends,
                     sentence_token_starts(docs[i])) for i in idx]
            found = [predict_many(model, jobs, info["confidence"], self.name, info.get("labels"))
                     for model in [nlp, *self._voters.get(lang, [])]]
            for i, mentions in zip(idx, vote(found)):
                # a language's settings.tsv may drop mentions without a capital letter
                # (`spacy_require_capital`; Indonesian, whose model learns from the
                # lower-cased NERP corpus to tag common nouns)
                if self.require_capital and settings(lang).get("spacy_require_capital") == "yes":
                    mentions = [m for m in mentions if any(ch.isupper() for ch in m.text)]
                out[i] = mentions
        return out


def installed_package(lang: str) -> str | None:
    """The first spaCy package of ``settings.tsv``'s ``spacy_package`` that is installed."""
    import importlib.util

    for name in settings(lang).get("spacy_package", "").split():
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def package_labels(lang: str) -> dict[str, str]:
    """``spacy_labels`` of ``settings.tsv``: a package's labels -> PER / ORG / LOC."""
    pairs = (item.split(":", 1) for item in settings(lang).get("spacy_labels", "").split())
    return {a: b for a, b in pairs}


def member_folders(path: Path) -> list[Path]:
    """The spaCy model folders in ``path/members/`` (sorted): models trained like the one
    in ``path`` with other seeds, which vote with it (`vote`)."""
    folder = path / MEMBERS
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if (f / "config.cfg").is_file())


def vote(found: list[list[list[Mention]]]) -> list[list[Mention]]:
    """Per text, the mentions that more than half of the models found with the same
    boundaries and label. ``found[k][j]``: model k's mentions in text j; model 0 is the
    model folder's own, whose mention objects are kept where it has them.

    Models trained alike with different seeds make different errors; a majority keeps what
    they agree on (the Indonesian model card: three seeds +1.1 F1 on NERGrit valid over the
    shipped model, five +1.6).
    """
    if len(found) == 1:
        return found[0]
    need = len(found) // 2 + 1
    out = []
    for per_text in zip(*found):
        counts: dict[tuple[int, int, str], int] = {}
        first: dict[tuple[int, int, str], Mention] = {}
        for mentions in per_text:
            for m in mentions:
                key = (m.start, m.end, m.label)
                counts[key] = counts.get(key, 0) + 1
                first.setdefault(key, m)
        # A majority of models that each tag non-overlapping spans never agrees on two
        # overlapping spans (two majorities share a model), so the result needs no cleanup.
        out.append(sorted((first[k] for k, n in counts.items() if n >= need),
                          key=lambda m: (m.start, m.end)))
    return out


def _model_info(path: Path, nlp: Any) -> dict[str, Any]:
    """Version string and per-label confidence (the label's dev precision) of a model."""
    meta = nlp.meta
    confidence = {}
    training = path / "training.json"
    if training.exists():
        record = json.loads(training.read_text(encoding="utf-8"))
        per_type = (record.get("dev_scores_at_best_checkpoint") or {}).get("ents_per_type") or {}
        confidence = {lab: round(v["p"], 3) for lab, v in per_type.items() if v.get("p")}
    return {"version": f"lintas-{meta.get('name', 'ner').replace('_', '-')} {meta.get('version', '0')}",
            "confidence": confidence}


def sentence_token_starts(doc: Document) -> list[int]:
    """Token index at which each sentence of ``doc`` starts."""
    starts = doc.token_offsets.starts
    return [bisect.bisect_left(starts, s.start) for s in doc.sentences]


def windows(n_tokens: int, sent_starts: list[int], size: int = WINDOW_TOKENS,
            overlap: int = OVERLAP_TOKENS) -> list[tuple[int, int, int, int]]:
    """``(start, end, keep_from, keep_to)`` token windows over ``n_tokens`` tokens.

    Windows hold whole sentences up to ``size`` tokens; an entity is kept from a window
    when it starts in ``[keep_from, keep_to)``. A sentence longer than ``size`` is cut into
    windows that overlap by ``overlap`` tokens, each keeping the middle of the overlap.
    """
    bounds = sorted(set([0, *[s for s in sent_starts if 0 < s < n_tokens], n_tokens]))
    out: list[tuple[int, int, int, int]] = []
    a = 0
    i = 1
    while a < n_tokens:
        b = a
        while i < len(bounds) and bounds[i] - a <= size:
            b = bounds[i]
            i += 1
        if b > a:
            out.append((a, b, a, b))
            a = b
            continue
        # one sentence longer than a window: overlapping windows inside it
        end = bounds[i]
        step = size - overlap
        s = a
        while s < end:
            e = min(s + size, end)
            keep_from = s if s == a else s + overlap // 2
            keep_to = e if e == end else e - overlap // 2
            out.append((s, e, keep_from, keep_to))
            if e == end:
                break
            s += step
        a = end
        i += 1
    return out


def predict_many(nlp: Any, jobs: list[tuple[str, Any, Any, list[int]]],
                 confidence: dict[str, float], source: str,
                 labels: dict[str, str] | None = None) -> list[list[Mention]]:
    """Model mentions for several texts: ``jobs`` holds (text, token starts, token ends,
    sentence start token indices) per text; all their windows go through one ``nlp.pipe``.
    With ``labels``, the model's labels are renamed by it and the others dropped (DATE …)."""
    from pipeline.text.spacy_util import doc_from_words

    plan = []  # (job index, window)
    for j, (_text, starts, _ends, sent_starts) in enumerate(jobs):
        plan.extend((j, w) for w in windows(len(starts), sent_starts))

    def window_docs() -> Any:
        for j, (a, b, _, _) in plan:
            text, starts, ends, _ = jobs[j]
            yield doc_from_words(nlp.vocab, [text[starts[k]:ends[k]] for k in range(a, b)])

    out: list[list[Mention]] = [[] for _ in jobs]
    # About BATCH_TOKENS tokens per model batch: 64 short windows of short articles, fewer
    # of the 1000-token windows of a long document (64 of those peaked at 1.2 GB).
    tokens = sum(b - a for _, (a, b, _, _) in plan)
    batch = max(1, min(64, BATCH_TOKENS * len(plan) // max(1, tokens)))
    for (j, (a, _b, keep_from, keep_to)), sdoc in zip(plan, nlp.pipe(window_docs(),
                                                                     batch_size=batch)):
        text, starts, ends, _ = jobs[j]
        for ent in sdoc.ents:
            first, last = a + ent.start, a + ent.end - 1
            if not keep_from <= first < keep_to:
                continue
            label = ent.label_ if labels is None else labels.get(ent.label_)
            if label is None:
                continue
            s, e = starts[first], ends[last]
            out[j].append(Mention(start=s, end=e, text=text[s:e], label=label, source=source,
                                  confidence=confidence.get(label, DEFAULT_CONFIDENCE)))
    return out
