"""NER with the Stanza models that the user already has in a Stanza resources folder.

The folder is the ``model_dir`` option, else ``STANZA_RESOURCES_DIR``, else Stanza's own
default (``~/stanza_resources``): what ``stanza.download(LANG)`` wrote, ``resources.json``
and ``LANG/ner/PACKAGE.pt`` with the files the model depends on. Nothing is downloaded
(``download_method=None``): a language is supported when its NER model and everything the
pipeline would load for it are on disk (`StanzaNer.supports`). Install the library with
``pip install "lintas[stanza]"``.

One ``stanza.Pipeline(lang, processors tokenize+ner)`` per language, built on first use.
By default Stanza tokenizes the original text itself and its entities' ``start_char`` /
``end_char`` are offsets into that text. With ``pretokenized=True`` Stanza reads lintas' own
tokens and sentences instead (``doc.tokens``; a language whose resources have no tokenizer
needs this) and the mentions take the offsets of those tokens. Either way a name never
crosses a line break. Stanza's entity types (PER/PERSON, ORG, LOC, GPE, FAC, MISC …) map to
lintas' PER / ORG / LOC / MISC as for the ``hf`` backend; others (DATE, NORP …) are dropped.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.document import Document, Mention
from pipeline.core.errors import MissingDependency
from pipeline.learned.token_windows import pieces_of
from pipeline.backends.ner_hf import lintas_label

ENV_DIR = "STANZA_RESOURCES_DIR"
FIX = 'pip install "lintas[stanza]"'
# Stanza's CRF gives no probability per name: the same default as the spaCy backend's.
DEFAULT_CONFIDENCE = 0.75
_TOKEN = re.compile(r"\w+|[^\w\s]")  # pretokenized without lintas' tokens: words, punctuation


@dataclass
class _Plan:
    """What the pipeline for one language loads: its Stanza code and NER packages."""

    code: str
    ner: list[str]


class StanzaNer:
    """NER backend over installed Stanza models; one pipeline per language, loaded once."""

    name = "stanza"

    def __init__(self, model_dir: str | None = None, lang: str | Mapping[str, str] | None = None,
                 ner_package: str = "default", tokenize_package: str = "default",
                 pretokenized: bool = False, device: str = "cpu", batch_size: int | None = None,
                 confidence: float = DEFAULT_CONFIDENCE) -> None:
        """``lang`` maps lintas' language codes to Stanza's where they differ, as a mapping
        or as ``"zh:zh-hans,no:nb"`` (an option string: backend options must be hashable).
        ``tokenize_package`` may also be a Stanza tokenizer variant such as ``spacy``."""
        _require_stanza()
        from stanza.resources.common import DEFAULT_MODEL_DIR

        folder = model_dir or os.environ.get(ENV_DIR) or DEFAULT_MODEL_DIR
        self.model_dir = Path(folder).expanduser()
        self.lang_map = parse_lang_map(lang)
        self.ner_package = ner_package
        self.tokenize_package = tokenize_package
        self.pretokenized = pretokenized
        self.device = device
        self.batch_size = batch_size
        self.confidence = confidence
        self._resources: dict[str, Any] | None = None
        self._plans: dict[str, _Plan | None] = {}  # supports() runs per document: no disk look
        self._pipelines: dict[str, Any] = {}

    def supports(self, lang: str) -> bool:
        return self.plan(lang) is not None

    def version(self, lang: str | None = None) -> str:
        # stanza's version is not in the records (not pinned; see the --out-dir manifest)
        plan = self._plans.get(lang) if lang else None
        return f"stanza {plan.code} ner={'+'.join(plan.ner)}" if plan else "stanza"

    def plan(self, lang: str) -> _Plan | None:
        """The Stanza language and NER packages for ``lang`` when every file the pipeline
        would load is on disk, else None. Resolved with Stanza's own functions, so it agrees
        with what ``stanza.Pipeline`` loads."""
        if lang not in self._plans:
            from stanza.resources.common import logging_level_context

            try:
                with logging_level_context("ERROR", None):  # "can not find package" warnings
                    self._plans[lang] = self._resolve(lang)
            except Exception:  # noqa: BLE001 - a resources.json Stanza cannot read: no model
                self._plans[lang] = None
        return self._plans[lang]

    def _resolve(self, lang: str) -> _Plan | None:
        from stanza.pipeline.core import build_default_config
        from stanza.resources.common import (add_dependencies, load_resources_json,
                                             maintain_processor_list,
                                             process_pipeline_parameters)

        if self._resources is None:
            if not (self.model_dir / "resources.json").is_file():
                return None
            self._resources = load_resources_json(str(self.model_dir))
        resources = self._resources
        code = self.lang_map.get(lang, lang).lower()
        seen = set()
        while code in resources and "alias" in resources[code] and code not in seen:
            seen.add(code)
            code = resources[code]["alias"]
        if code not in resources or not isinstance(resources[code], dict):
            return None
        _, _, _, processors = process_pipeline_parameters(code, str(self.model_dir), None,
                                                          self._processors())
        load_list = maintain_processor_list(resources, code, None, processors,
                                            maybe_add_mwt=not self.pretokenized)
        load_list = add_dependencies(resources, code, load_list)
        config = build_default_config(resources, code, str(self.model_dir), load_list)
        ner_paths = config.get("ner_model_path") or []
        needed = list(ner_paths)
        for key, value in config.items():
            if self.pretokenized and key.split("_", 1)[0] in ("tokenize", "mwt"):
                continue  # lintas' tokens replace these
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    needed.extend(v for v in item.values() if isinstance(v, str))
                elif isinstance(item, str) and item.endswith(".pt"):
                    needed.append(item)
        if not ner_paths or not all(Path(p).is_file() for p in needed):
            return None
        return _Plan(code, [Path(p).stem for p in ner_paths])

    def _processors(self) -> dict[str, str]:
        return {"tokenize": self.tokenize_package, "ner": self.ner_package}

    def pipeline(self, lang: str) -> Any:
        """The Stanza pipeline for ``lang`` (built once, from disk only)."""
        if lang not in self._pipelines:
            plan = self.plan(lang)
            if plan is None:
                raise MissingDependency(
                    f"a Stanza NER model for {lang!r} in {str(self.model_dir)!r}",
                    f'python -c "import stanza; stanza.download(\'{self.lang_map.get(lang, lang)}'
                    f"', processors='tokenize,ner')\" (or pass model_dir=)")
            import stanza

            options: dict[str, Any] = {"tokenize_pretokenized": self.pretokenized}
            if self.batch_size:
                options["ner_batch_size"] = self.batch_size
            try:
                self._pipelines[lang] = stanza.Pipeline(
                    plan.code, dir=str(self.model_dir), package=None,
                    processors=self._processors(), download_method=None, device=self.device,
                    logging_level="WARN", **options)
            except Exception as exc:  # noqa: BLE001 - Stanza raises bare Exceptions too
                raise MissingDependency(f"the Stanza pipeline for {lang!r} ({exc})",
                                        "install the model's files into the resources folder"
                                        ) from exc
        return self._pipelines[lang]

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def find_batch(self, docs: list[Document], texts: list[str]) -> list[list[Mention]]:
        """Mentions for several documents; one pipeline call per language for all of them."""
        out: list[list[Mention]] = [[] for _ in docs]
        by_lang: dict[str, list[int]] = {}
        for i, (doc, text) in enumerate(zip(docs, texts)):
            if text.strip():
                by_lang.setdefault(doc.lang or "und", []).append(i)
        for lang, idx in by_lang.items():
            nlp = self.pipeline(lang)
            if not self.pretokenized:
                results = nlp.bulk_process([texts[i] for i in idx])
                for i, res in zip(idx, results):
                    out[i] = self._mentions(texts[i], [(e.start_char, e.end_char, e.type)
                                                       for e in res.ents])
                continue
            import stanza

            sents = {i: lintas_sentences(docs[i], texts[i]) for i in idx}
            idx = [i for i in idx if sents[i]]  # all boilerplate: nothing to read
            inputs = [stanza.Document([[{"id": (k + 1,), "text": texts[i][s:e]}
                                        for k, (s, e) in enumerate(sent)] for sent in sents[i]])
                      for i in idx]
            for i, res in zip(idx, nlp.bulk_process(inputs)):
                # the result is a copy of the input: its tokens are found by position
                span_of = {id(tok): sents[i][si][ti] for si, sent in enumerate(res.sentences)
                           for ti, tok in enumerate(sent.tokens)}
                out[i] = self._mentions(texts[i], [
                    (span_of[id(e.tokens[0])][0], span_of[id(e.tokens[-1])][1], e.type)
                    for e in res.ents if e.tokens])
        return out

    def _mentions(self, text: str, ents: list[tuple[int | None, int | None, str]]
                  ) -> list[Mention]:
        """Mentions from ``(start, end, type)``, cut at line breaks, types lintas keeps."""
        out = []
        for start, end, kind in ents:
            label = lintas_label(kind)
            if label is None or start is None or end is None or not 0 <= start < end <= len(text):
                continue
            for s, e in pieces_of(text, [(start, end)]):
                s += len(text[s:e]) - len(text[s:e].lstrip())
                e -= len(text[s:e]) - len(text[s:e].rstrip())
                out.append(Mention(s, e, text[s:e], label, self.name, self.confidence))
        return out


def parse_lang_map(lang: str | Mapping[str, str] | None) -> dict[str, str]:
    """``{"zh": "zh-hans"}`` from a mapping or from ``"zh:zh-hans,no:nb"``."""
    if not lang:
        return {}
    if isinstance(lang, Mapping):
        return {str(k): str(v) for k, v in lang.items()}
    pairs = (item.split(":", 1) for item in lang.split(",") if ":" in item)
    return {a.strip(): b.strip() for a, b in pairs}


def lintas_sentences(doc: Document, text: str) -> list[list[tuple[int, int]]]:
    """Token spans per sentence line: ``doc.tokens`` within ``doc.sentences`` cut at line
    breaks, or, before segmentation, words and punctuation per line."""
    bounds = [(s.start, s.end) for s in doc.sentences] or None
    pieces = pieces_of(text, bounds)
    if not doc.tokens:
        return [[(s + m.start(), s + m.end()) for m in _TOKEN.finditer(text[s:e])]
                for s, e in pieces]
    starts, ends = doc.tokens
    out = []
    for s, e in pieces:
        a, b = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        # a token blanked with boilerplate (the cleaned text) is no token for the model
        sent = [(int(starts[k]), min(int(ends[k]), e)) for k in range(a, b)
                if text[int(starts[k]):int(ends[k])].strip()]
        if sent:
            out.append(sent)
    return out


def _require_stanza() -> None:
    try:
        import stanza  # noqa: F401
    except ImportError as exc:  # also when torch is missing: stanza imports it
        raise MissingDependency("stanza (the stanza NER backend)", FIX) from exc
