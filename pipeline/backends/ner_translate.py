"""NER through translation (issue 17): a document's sentences are translated into English
(an `mt` backend: `hf` or `ct2`, over a model the user has), lintas' multilingual model reads
the English sentences, and each English name is mapped back into its source sentence
(`pipeline.text.align.map_spans`: the same name folded, the same gazetteer identity, else word
alignment on the encoder's states of both sentences). The mentions it gives carry offsets
into the original text, like every other backend's, and the English name they came from (``Mention.translated``); the
document gets a ``translation`` record (model, languages, sentences, names mapped).

Which documents take this path is `supports`: ``langs="untrained"`` (the default) only
languages the multilingual model was not trained on (the others read better directly: the
model card's scores), ``"all"`` every language but English, or a list such as ``"kk,uz"``.
A document of another language falls to the next model backend (`pipeline.stages.ner_stage`).
`lintas run --translate` puts this backend first.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

import numpy as np

from pipeline.text.align import SentencePair, identity_spans, mention_key
from pipeline.core.document import Document, Mention
from pipeline.core.errors import BackendSetupError
from pipeline.stages.ner_stage import STATES
from pipeline.stages.segment import Segment
from pipeline.learned.token_windows import Encoded, TokenStates
from pipeline.stages.translated import SHADOW, Shadow
from pipeline.backends import get_backend


class TranslateNer:
    """NER backend ``translate``: English NER on a translation, mapped back."""

    name = "translate"

    def __init__(self, mt: str = "hf", mt_model: str | None = None, langs: str = "untrained",
                 model_dir: str | None = None, batch_size: int = 16) -> None:
        # the translator first: a missing model stops the run before any input is read
        self.mt = get_backend("mt", mt, model=mt_model, batch_size=batch_size)
        self.english = get_backend("ner", "transformer",
                                   **({"model_dir": model_dir} if model_dir else {}))
        self.gazetteer = get_backend("ner", "gazetteer")  # identities on both sides
        self.langs = langs
        recipe = self.english.model_dir / "train.json"
        if langs == "untrained" and not recipe.is_file():
            raise BackendSetupError(f"--translate untrained: {recipe} is missing, so the "
                                    "languages the model was trained on are unknown; list them")
        info = json.loads(recipe.read_text(encoding="utf-8")) if recipe.is_file() else {}
        self.trained = {s.get("lang") for s in info.get("sources", []) if s.get("lang")}
        # the languages listed (`--translate kk,uz`), in their order
        self.listed = ([] if langs in ("all", "untrained")
                       else [c for c in (x.strip() for x in langs.split(",")) if c])
        if self.listed:
            missing = [c for c in self.listed if not self.mt.supports(c, "en")]
            if missing:
                raise BackendSetupError(f"the translation model reads no {', '.join(missing)}"
                                        f" ({self.mt.version()})")
        encoder = self.english.encoder
        if encoder.info.get("hidden_layer") not in encoder.hidden_layers:
            raise BackendSetupError(f"{self.english.model_dir} returns no hidden states (L026): "
                                    "`lintas train events` adds them")

    def version(self, lang: str | None = None) -> str:
        """The translator and the English reader, for ``extractors``."""
        return f"translate ({self.mt.version()}) + {self.english.version('en')}"

    def supports(self, lang: str) -> bool:
        """Whether documents in ``lang`` take this path (see the module)."""
        if lang in ("en", "und"):
            return False
        if self.langs == "all":
            wanted = True
        elif self.langs == "untrained":
            wanted = lang not in self.trained
        else:
            wanted = lang in self.listed
        return wanted and self.mt.supports(lang, "en")

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def gives_states(self) -> bool:
        """The source's own encoder states are read for the alignment: they are left for
        the event heads too."""
        return self.english.gives_states()

    def find_batch(self, docs: list[Document], texts: list[str],
                   states: bool = False) -> list[list[Mention]]:
        """Mentions of each document, in its own offsets (see the module); each document
        keeps its English as a `pipeline.stages.translated.Shadow` for the later stages."""
        encoder = self.english.encoder
        layer = encoder.info["hidden_layer"]
        out: list[list[Mention]] = []
        for doc, text in zip(docs, texts):
            bounds = [(s.start, s.end) for s in doc.sentences if text[s.start:s.end].strip()] \
                or ([(0, len(text))] if text.strip() else [])
            lang = doc.lang or "und"
            # one line of the English document per source sentence
            english = [t.replace("\n", " ").replace("\r", " ")
                       for t in self.mt.translate([text[s:e] for s, e in bounds], lang, "en")]
            (_, source_states), = encoder.spans_and_states([text], (layer,))
            read = encoder.spans_and_states(english, (layer,)) if english else []
            places = self.gazetteer.find(doc, text)  # the source's identities
            shadow = _shadow(doc, text, bounds, english, read, source_states, places, layer,
                             self.gazetteer)
            # every English name of the shadow maps back: the model's, and the English
            # gazetteer's places it missed (so a place comes back with its English either way)
            found: list[Mention] = []
            for e in shadow.doc.mentions:
                i = bisect.bisect_right(shadow.at, e.start) - 1
                s0, a, b = bounds[i][0], e.start - shadow.at[i], e.end - shadow.at[i]
                m = shadow.pairs[i].map(a, b, mention_key(e))
                if m is not None:
                    found.append(Mention(s0 + m.start, s0 + m.end, text[s0 + m.start:s0 + m.end],
                                         e.label, self.name, e.confidence, translated=e.text))
            found.sort(key=lambda m: (m.start, -m.end))
            kept: list[Mention] = []
            for m in found:  # two English names mapped onto overlapping words: the first
                if not kept or m.start >= kept[-1].end:
                    kept.append(m)
            doc.translation = {"backend": self.mt.name, "model": self.mt.version(),
                               "from": lang, "to": "en", "sentences": len(bounds),
                               "english_names": len(shadow.doc.mentions),
                               "mapped": len(kept)}
            if any(t.strip() for t in english):
                # the later stages read the English; a translator that gave none (no
                # sentence it could read) leaves them to the original text
                doc.cache[SHADOW] = shadow
            if states:
                doc.cache[STATES] = source_states
            out.append(kept)
        return out


def _shadow(doc: Document, text: str, bounds: list[tuple[int, int]], english: list[str],
            read: list[tuple[list[Any], TokenStates]], source: TokenStates,
            places: list[Mention], layer: int, gazetteer: Any) -> Shadow:
    """The English document of ``doc`` and the way back. ``english``: the translations of
    the sentences of ``text`` (the text the NER reads) at ``bounds``; ``read``: per English
    sentence, the model's names and states; ``source``: the states of ``text``;
    ``places``: its gazetteer mentions (the identities names map by). The English document
    has one line per sentence, the model's names and the gazetteer's places they do not
    cover, tokens and sentences, and the English states as one text's; each sentence gets
    a `SentencePair` of its English and its source."""
    at, pos = [], 0
    for t in english:
        at.append(pos)
        pos += len(t) + 1
    lines = "\n".join(english)
    # published: the events stage resolves "on Tuesday" against it
    eng = Segment()(Document(f"{doc.doc_id}.en", doc.source, lines, title=doc.title,
                             url=doc.url, published=doc.published, lang_hint="en", lang="en",
                             lang_confidence=1.0))
    english_places = gazetteer.find(eng, lines)
    canon = {(m.start, m.end): m.canonical for m in english_places}
    mentions = [Mention(a0 + a, a0 + b, lines[a0 + a:a0 + b], label, "transformer", conf,
                        canon.get((a0 + a, a0 + b)))
                for a0, (spans, _) in zip(at, read) for a, b, label, conf in spans]
    taken = [(m.start, m.end) for m in mentions]
    mentions += [m for m in english_places
                 if not any(s < m.end and m.start < e for s, e in taken)]
    eng.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
    # the English sentences' tokens as one text's (a sentence with no English has none)
    parts = [(a0, st) for a0, (_, st) in zip(at, read) if len(st.enc)]
    if parts:
        eng.cache[STATES] = TokenStates(
            Encoded(np.concatenate([st.enc.ids for _, st in parts]),
                    np.concatenate([st.enc.starts + a0 for a0, st in parts]),
                    np.concatenate([st.enc.ends + a0 for a0, st in parts]),
                    np.concatenate([st.enc.piece_start for _, st in parts])),
            (layer,), np.concatenate([st.states for _, st in parts]))
    pairs = []
    for (s0, e0), t, (_, st) in zip(bounds, english, read):
        sub, rows = _slice(source.enc, source.of(layer), s0, e0)
        pairs.append(SentencePair(t, st.enc, st.of(layer), text[s0:e0], sub, rows,
                                  identity_spans(places, s0, e0)))
    return Shadow(eng, list(bounds), at, pairs)


def _slice(enc: Encoded, rows: np.ndarray, start: int, end: int) -> tuple[Encoded, np.ndarray]:
    """The tokens of ``enc`` inside ``[start, end)``, offsets made relative to ``start``,
    with their rows of ``rows``."""
    sel = np.flatnonzero((enc.starts >= start) & (enc.ends <= end))
    return (Encoded(enc.ids[sel], enc.starts[sel] - start, enc.ends[sel] - start,
                    enc.piece_start[sel]), rows[sel])
