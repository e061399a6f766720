"""The `ner` stage: mentions from the NER backends, merged into one list per document.

One NER model reads a document (`Ner.model_backend`), then the other backends (the
gazetteer) add theirs. Backends run in priority order; a later backend's mention that
overlaps an earlier one is dropped (so the trained model, listed first, wins over the
gazetteer), but when both mark the same span the gazetteer still lends its canonical
identity. A backend without a model for the document's language is skipped (the gazetteer
covers every language).

The rules that fix the mentions are the next stage (`pipeline.stages.ner_rule_stage`); the
clustering into entities the one after (`pipeline.stages.entities`). What each backend found is
kept in ``doc.cache[FOUND]``, so that the rules stage can merge again after a rule the way
this stage merged.

With ``keep_states`` (set by `pipeline.core.core.build_pipeline` when the events stage runs with
its learned heads), a backend that can (the multilingual transformer) also leaves each
document's per-token hidden states in ``doc.cache[STATES]`` (a
`pipeline.learned.token_windows.TokenStates`), from the pass that found the names: the events
stage reads them instead of encoding the document again.
"""

from __future__ import annotations

import bisect
from typing import Any

from pipeline.backends import get_backend
from pipeline.stages.clean import clean_text
from pipeline.core.document import Document, Mention
from pipeline.lexicon.lexicons import settings
from pipeline.core.stage_registry import register_stage

# NER models: one of them reads a document (`Ner.model_backend`).
MODEL_BACKENDS = {"transformer", "spacy", "hf", "stanza", "translate"}
# The default: the multilingual model, the spaCy CNN where a language prefers it (measured
# better: Indonesian), and the gazetteer's places and identities for every language.
DEFAULT_NER = ("transformer", "spacy", "gazetteer")
# ``doc.cache`` key: each backend's mentions, in priority order (a list of lists)
FOUND = "ner_found"
# ``doc.cache`` key: the encoder's hidden states per token, for the learned event heads
STATES = "encoder_states"


def merge_mentions(groups: list[list[Mention]]) -> list[Mention]:
    """Mentions of several backends, earlier groups first on overlap, in text order.

    Kept mentions never overlap, so they are held sorted and each new mention is checked
    against its neighbours only (no quadratic scan on documents with many mentions).
    """
    kept: list[Mention] = []
    starts: list[int] = []
    for group in groups:
        for m in sorted(group, key=lambda x: (x.start, x.end)):
            i = bisect.bisect_left(starts, m.start)
            clash = [k for k in kept[max(0, i - 1):i + 1] if k.start < m.end and m.start < k.end]
            j = i + 1
            while j < len(kept) and kept[j].start < m.end:  # a long mention spans several
                clash.append(kept[j])
                j += 1
            if not clash:
                kept.insert(i, m)
                starts.insert(i, m.start)
                continue
            for k in clash:
                if k.start == m.start and k.end == m.end:
                    lend_identity(k, m)
    return kept


def lend_identity(kept: Mention, other: Mention) -> None:
    """``other``, on the same span as ``kept``, lends it the identity it knows (when
    ``kept`` has none)."""
    if kept.canonical is None:
        kept.canonical = other.canonical
        if other.source == "gazetteer" and other.canonical and kept.label != other.label:
            # A country or city the model called ORG or PER: in these corpora a place
            # acting as an actor is still LOC (GPE folded into LOC).
            kept.label = other.label


@register_stage('ner')
class Ner:
    """Pipeline stage: ``doc.mentions`` from the chosen NER backends, merged."""

    name = "ner"
    requires = ("sentences", "tokens")
    assigns = ("mentions",)

    def __init__(self, backends: tuple[str, ...] = DEFAULT_NER,
                 options: dict[str, dict[str, Any]] | None = None,
                 keep_states: bool = False) -> None:
        self.backend_names = backends
        self.options = options or {}
        self.keep_states = keep_states  # hidden states for the events stage (see above)
        self._model_for: dict[str, str | None] = {}  # language -> its model backend

    def __call__(self, doc: Document) -> Document:
        return self.pipe([doc])[0]

    def model_backend(self, lang: str) -> str | None:
        """The one NER model that reads a document in ``lang``: the language's own choice
        (``ner_backend`` in its ``settings.tsv``, where a model was measured better than
        the multilingual one) when it is among the configured backends and has a model for
        ``lang``, else the first configured model backend that has one."""
        if lang in self._model_for:
            return self._model_for[lang]
        configured = [n for n in self.backend_names if n in MODEL_BACKENDS]
        preferred = settings(lang).get("ner_backend")
        order = ([preferred] if preferred in configured else []) + configured
        choice = next((n for n in order if get_backend("ner", n, **self.options.get(n, {}))
                       .supports(lang)), None)
        self._model_for[lang] = choice
        return choice

    def pipe(self, docs: list[Document]) -> list[Document]:
        """The stage over several documents; backends with ``find_batch`` get them at once."""
        texts = [clean_text(d) for d in docs]
        groups: list[list[list[Mention]]] = [[] for _ in docs]
        used: list[list[str]] = [[] for _ in docs]
        models = [self.model_backend(d.lang or "und") for d in docs]
        for name in self.backend_names:
            backend = get_backend("ner", name, **self.options.get(name, {}))
            idx = [i for i, d in enumerate(docs)
                   if (name not in MODEL_BACKENDS or models[i] == name)
                   and backend.supports(d.lang or "und")]
            if not idx:
                continue
            if self.keep_states and hasattr(backend, "gives_states"):
                found = backend.find_batch([docs[i] for i in idx], [texts[i] for i in idx],
                                           states=True)
            elif hasattr(backend, "find_batch"):
                found = backend.find_batch([docs[i] for i in idx], [texts[i] for i in idx])
            else:
                found = [backend.find(docs[i], texts[i]) for i in idx]
            for i, mentions in zip(idx, found):
                # The backends read the cleaned text, where boilerplate is blank; this also
                # drops what a backend might find across a mask's edge.
                groups[i].append([m for m in mentions if not docs[i].is_masked(m.start, m.end)])
                used[i].append(backend.version(docs[i].lang or "und"))
        for doc, doc_groups, doc_used in zip(docs, groups, used):
            doc.mentions = merge_mentions(doc_groups)
            doc.cache[FOUND] = doc_groups
            doc.extractors["ner"] = "; ".join(doc_used)
        return docs
