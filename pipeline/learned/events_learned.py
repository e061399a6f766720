"""Learned event triggers: small heads on the NER encoder's hidden states (issue 13).

``models/events-xx`` (written by `lintas train events`, `pipeline.training.train_events`) holds
numpy heads over the hidden states of one layer of the NER encoder (``models/ner-xx``),
which the NER stage's onnxruntime pass returns along with the names
(`pipeline.learned.onnx_outputs`), so that a document is encoded once:

- **trigger + type**: per-token BIO over the event types; a token is inside a trigger when
  its probability of not being ``O`` reaches the model's threshold (in a language the heads
  never learned from, the one chosen for such languages: `EventHeads.threshold_for`), and
  takes the likeliest type (`EventHeads.triggers`); triggers are whole words
  (`event_features.decode_bio`);
- **mode** and **modality**: one class for a trigger from the mean state of its tokens
  next to the sentence's mean state (`event_features.pooled`).

No torch: a head is two matrix products (`HeadWeights`). `DocStates` serves a document's
states sentence by sentence: from the NER stage (``doc.cache[STATES]``), or from an encoder
pass of its own over the same cleaned text, one chunk of lines at a time, where the NER
pass kept none: a text too long to keep them for, or, when the events stage is asked to
(``encode``), a document no transformer read (Indonesian, whose NER is the spaCy CNN).

Heads read what one encoder produced: `load_heads` gives None when the NER model's
``onnx_sha256`` is not the one the heads were trained on (a retrained NER model), and the
events stage falls back to its lexicons until `lintas train events` is run again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, ClassVar

import numpy as np

from pipeline.learned.event_features import bio_names, decode_bio
from pipeline.lexicon.lexicons import models_dir
from pipeline.learned.token_windows import Encoded, TokenStates, softmax
from pipeline.learned.event_args import argument_features, decode_arguments
from pipeline.backends import get_backend
from pipeline.stages.ner_stage import STATES

MODEL = "events-xx"
HEADS = "heads.npz"
# How learned triggers and lexicon triggers are combined (chosen on the inner validation
# split by `lintas train events`, recorded in model.json):
MERGES = ("lexicon", "learned", "union", "lexicon_first")
# The merges from the one that leans most on the lexicons to the heads alone, and the
# inner-split differences of trigger + type F1 that are noise: over four trainings of
# session 18 (seeds 0-2, layers 6 and 8) `union` and `lexicon_first` differed by -0.003 to
# +0.012, and the heads alone spread from 0.539 to 0.557 between seeds. `lintas train
# events` takes the first merge within the margin of the best.
TRIGGER_MERGE_ORDER = ("lexicon", "lexicon_first", "union", "learned")
TRIGGER_MARGIN = 0.02
# Texts are encoded at most this many characters at a time when the events stage reads a
# document itself (cut at line breaks; a sentence never crosses one).
CHUNK_CHARS = 300_000
# doc.cache key of a stage's own encoder pass (`StatesReader`), left for the stage after it
OWN_STATES = "encoder_states_own"
# record modalities a head may give (the corpus' "requested" has no place in lintas/1)
RECORD_MODALITIES = ("asserted", "planned", "negated", "hypothetical")


@dataclass
class HeadWeights:
    """A trained head as numpy arrays: ``(x - mean) / std``, then ``W1, b1`` and tanh GELU
    (MLP only), then ``W2, b2``, plus ``h @ W0`` when a linear part sits beside the MLP (a
    folded ensemble, `pipeline.learned.head_ensemble`); the outputs are ``groups``
    softmaxes of equal width side by side."""

    mean: np.ndarray
    std: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    w1: np.ndarray | None = None
    b1: np.ndarray | None = None
    groups: int = 1
    w0: np.ndarray | None = None

    def logits(self, x: np.ndarray) -> np.ndarray:
        """``x`` (n x dims) -> logits (n x groups x classes), float32."""
        h = (np.asarray(x, np.float32) - self.mean) / self.std
        out = self.b2
        if self.w0 is not None:
            out = out + h @ self.w0
        if self.w1 is not None:
            h = h @ self.w1 + self.b1
            h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h ** 3)))  # tanh GELU
        out = h @ self.w2 + out
        return out.reshape(len(x), self.groups, -1)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """For ``np.savez``, keys prefixed with ``prefix``."""
        d = {"mean": self.mean, "std": self.std, "w2": self.w2, "b2": self.b2,
             "groups": np.asarray(self.groups)}
        if self.w1 is not None:
            d.update(w1=self.w1, b1=self.b1)
        if self.w0 is not None:
            d.update(w0=self.w0)
        return {prefix + k: v for k, v in d.items()}

    @classmethod
    def from_arrays(cls, d: Any, prefix: str = "") -> HeadWeights:
        """From `arrays` or an ``np.load``-ed ``.npz`` of them."""
        def get(k: str) -> Any:
            return d[prefix + k] if prefix + k in d else None

        return cls(get("mean"), get("std"), get("w2"), get("b2"), get("w1"), get("b1"),
                   int(get("groups")), get("w0"))


@dataclass
class LearnedTrigger:
    """A trigger the head found: offsets into the document's text, its type, and the mean
    probability of its tokens not being ``O``."""

    start: int
    end: int
    event_type: str
    prob: float


@dataclass
class Heads:
    """What the events and the claims heads share: their ``model.json`` (``info``), with
    the encoder layer they read, how they combine with the lexicons, and the name records
    give them."""

    info: dict[str, Any]
    NAME: ClassVar[str] = ""  # the name when model.json has none
    DEFAULT_MERGE: ClassVar[str] = ""

    @property
    def layer(self) -> int:
        return int(self.info["layer"])

    @property
    def merge(self) -> str:
        return self.info.get("merge", self.DEFAULT_MERGE)

    @property
    def version(self) -> str:
        return f"{self.info.get('name', self.NAME)} {self.info.get('version', '')}".strip()


@dataclass
class EventHeads(Heads):
    """The heads of a ``models/events-xx`` folder and the settings chosen with them."""

    trigger: HeadWeights
    modality: HeadWeights | None = None
    mode: HeadWeights | None = None
    args: HeadWeights | None = None  # `pipeline.learned.event_args`
    NAME: ClassVar[str] = "lintas-events-xx"
    DEFAULT_MERGE: ClassVar[str] = "union"

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.info["types"])

    def threshold_for(self, lang: str) -> float:
        """The trigger threshold for a document in ``lang``: the model's, or, for a language
        the heads never learned from (``und`` too), the one `lintas train events` chose by
        leaving each training language out (``unseen``; absent in older models)."""
        unseen = self.info.get("unseen")
        if unseen and lang not in unseen["languages"]:
            return float(unseen["threshold"])
        return float(self.info["threshold"])

    def triggers(self, text: str, enc: Encoded, x: np.ndarray,
                 threshold: float | None = None) -> list[LearnedTrigger]:
        """Triggers in one sentence: ``text`` is the sentence, ``enc`` its tokens (offsets
        into ``text``) and ``x`` their states; ``threshold`` (default: the model's) on the
        probability of not being ``O``."""
        if not len(enc):
            return []
        thr = self.info["threshold"] if threshold is None else threshold
        p = softmax(self.trigger.logits(x)[:, 0])
        inside = 1.0 - p[:, 0]
        labels = np.where(inside >= thr, p[:, 1:].argmax(-1) + 1, 0)
        out = []
        for s, e, kind in decode_bio(text, enc, labels, bio_names(self.types)):
            tok = (enc.starts < e) & (enc.ends > s)
            out.append(LearnedTrigger(s, e, kind, round(float(inside[tok].mean()), 4)))
        return out

    @property
    def argument_merge(self) -> str:
        """How the argument head's arguments combine with the rules' (`event_args.
        merge_arguments`): the model's choice, ``rules`` without the head."""
        return str(self.info.get("arguments", "rules")) if self.args is not None else "rules"

    def arguments(self, text: str, enc: Encoded, x: np.ndarray, start: int, end: int,
                  threshold: float | None = None) -> list[tuple[int, int, str]]:
        """The argument head's ``(start, end, role)`` spans for the trigger at ``[start,
        end)`` of one sentence (``text``, ``enc`` and ``x`` as for `triggers`)."""
        if self.args is None or not len(enc):
            return []
        feats = argument_features(x, enc, start, end)
        if feats is None:
            return []
        thr = self.info.get("argument_threshold", 0.5) if threshold is None else threshold
        return decode_arguments(text, enc, self.args.logits(feats)[:, 0], (start, end), thr)

    def predict_modality(self, feats: np.ndarray) -> str | None:
        """The modality head's class for pooled features (None without the head)."""
        if self.modality is None:
            return None
        classes = self.info["modalities"]
        return classes[int(self.modality.logits(feats[None])[0, 0].argmax())]

    def predict_mode(self, feats: np.ndarray, event_type: str) -> str | None:
        """A mode of ``event_type``: the mode head's likeliest mode of that type, else the
        type's most frequent mode in the training split (None for a type never seen)."""
        if self.mode is not None and self.info.get("mode_source") == "head":
            pairs = self.info["modes"]
            allowed = [i for i, (t, _) in enumerate(pairs) if t == event_type]
            if allowed:
                z = self.mode.logits(feats[None])[0, 0]
                return pairs[max(allowed, key=lambda i: z[i])][1]
        return self.info.get("majority_mode", {}).get(event_type)


def default_dir() -> Path:
    """``models/events-xx``."""
    return models_dir() / MODEL


def read_heads_folder(folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """A heads model folder's ``model.json`` and the arrays of its ``heads.npz`` (the
    events and the claims models), or None when either file is missing."""
    if not (folder / "model.json").exists() or not (folder / HEADS).exists():
        return None
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    with np.load(folder / HEADS) as d:
        return info, {k: d[k] for k in d.files}


@lru_cache(maxsize=4)
def _load(model_dir: str) -> EventHeads | None:
    read = read_heads_folder(Path(model_dir))
    if read is None:
        return None
    info, arrays = read
    heads = EventHeads(info, HeadWeights.from_arrays(arrays, "trigger/"))
    if "modality/w2" in arrays:
        heads.modality = HeadWeights.from_arrays(arrays, "modality/")
    if "mode/w2" in arrays:
        heads.mode = HeadWeights.from_arrays(arrays, "mode/")
    if "args/w2" in arrays:
        heads.args = HeadWeights.from_arrays(arrays, "args/")
    return heads


def reload() -> None:
    """Forget the heads read so far (after `lintas train events` wrote new ones)."""
    _load.cache_clear()


def ner_model_dir(ner_options: dict[str, dict[str, Any]] | None = None) -> Path:
    """The folder of the transformer NER model the pipeline uses."""
    opt = (ner_options or {}).get("transformer", {})
    return Path(opt["model_dir"]) if opt.get("model_dir") else models_dir() / "ner-xx"


def load_heads(model_dir: Path | None = None,
               ner_options: dict[str, dict[str, Any]] | None = None) -> EventHeads | None:
    """The heads of ``model_dir`` (default ``models/events-xx``) when they exist and were
    trained on the states of the NER model the pipeline uses (its ``model.json``'s
    ``onnx_sha256`` and ``hidden_layer``), else None."""
    heads = _load(str(model_dir or default_dir()))
    return heads if heads is not None and reads_this_encoder(heads.info, ner_options) else None


def reads_this_encoder(info: dict[str, Any],
                       ner_options: dict[str, dict[str, Any]] | None = None) -> bool:
    """Whether heads whose ``model.json`` is ``info`` were trained on the states of the NER
    model the pipeline uses: its ``onnx_sha256``, and its ``hidden_layer`` their layer."""
    ner_json = ner_model_dir(ner_options) / "model.json"
    if not ner_json.exists():
        return False
    ner = json.loads(ner_json.read_text(encoding="utf-8"))
    want = info.get("encoder", {})
    return (ner.get("onnx_sha256") == want.get("onnx_sha256")
            and ner.get("hidden_layer") == int(info["layer"]))


class DocStates:
    """A document's encoder states, sentence by sentence.

    ``cached``: the NER stage's states of the whole (cleaned) text, or None; then
    ``encode(text) -> TokenStates`` reads the cleaned text in chunks of whole lines, the
    chunk of the sentence asked for, one chunk held at a time (sentences come in text
    order), so memory does not grow with the document.
    """

    def __init__(self, clean: str, layer: int, cached: TokenStates | None,
                 encode: Callable[[str], TokenStates] | None) -> None:
        self.clean = clean
        self.layer = layer
        self.encode = encode
        self.chunks = [(0, len(clean))] if cached is not None else _chunks(clean, CHUNK_CHARS)
        self._at = 0 if cached is not None else -1  # the chunk held
        self._held = cached

    def _chunk(self, pos: int) -> tuple[int, TokenStates] | None:
        k = next((i for i, (a, b) in enumerate(self.chunks) if a <= pos < b), None)
        if k is None:
            return None
        if k != self._at:
            if self.encode is None:
                return None
            a, b = self.chunks[k]
            self._held, self._at = self.encode(self.clean[a:b]), k
        return self.chunks[k][0], self._held  # type: ignore[return-value]

    def sentence(self, start: int, end: int) -> tuple[Encoded, np.ndarray] | None:
        """The tokens of ``[start, end)`` (offsets relative to ``start``) and their states
        (float32), or None when there are none."""
        got = self._chunk(start)
        if got is None:
            return None
        base, st = got
        enc = st.enc
        i, j = np.searchsorted(enc.starts, [start - base, end - base])
        if j <= i:
            return None
        shift = start - base
        sub = Encoded(enc.ids[i:j], enc.starts[i:j] - shift, enc.ends[i:j] - shift,
                      enc.piece_start[i:j])
        return sub, np.asarray(st.of(self.layer)[i:j], np.float32)


class StatesReader:
    """Where a stage gets a document's states of one layer: the NER pass's
    (``doc.cache[STATES]``), else, with ``encode``, a pass of the transformer's encoder of
    its own (loaded once, on first need); None without either."""

    def __init__(self, ner_options: dict[str, dict[str, Any]] | None = None,
                 encode: bool = False) -> None:
        self.ner_options = ner_options or {}
        self.encode = encode
        self._encoder: Any = None

    def _own_encoder(self) -> Any:
        if self._encoder is None:
            try:
                backend = get_backend("ner", "transformer",
                                      **self.ner_options.get("transformer", {}))
                self._encoder = backend.encoder if backend.gives_states() else False
            except Exception:  # noqa: BLE001 - no encoder: the lexicons alone
                self._encoder = False
        return self._encoder

    def __call__(self, doc: Any, layer: int, pop: bool) -> DocStates | None:
        """``doc``'s `DocStates` of ``layer``; ``pop``: the states are taken out of the
        document's cache (the last stage that reads them), else a pass of its own is left
        there for the next stage."""
        cached = doc.cache.pop(STATES, None) if pop else doc.cache.get(STATES)
        if cached is not None and layer not in cached.layers:
            cached = None
        if cached is not None:
            return DocStates(doc.clean_text(), layer, cached, None)
        # an earlier stage's own pass over this document (the claims stage's, for the
        # events stage): read once
        own = doc.cache.pop(OWN_STATES, None) if pop else doc.cache.get(OWN_STATES)
        if own is not None and own.layer == layer:
            return own
        enc = self._own_encoder() if self.encode else False
        if enc is False:
            return None

        def encode(text: str) -> Any:
            return enc.spans_and_states([text], (layer,))[0][1]

        states = DocStates(doc.clean_text(), layer, None, encode)
        if not pop:
            doc.cache[OWN_STATES] = states
        return states


def _chunks(text: str, size: int) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of ``text`` of at most about ``size`` characters, cut after a
    line break (a line longer than ``size`` is one piece)."""
    out: list[tuple[int, int]] = []
    a = 0
    while a < len(text):
        b = min(a + size, len(text))
        if b < len(text):
            nl = text.rfind("\n", a, b)
            b = nl + 1 if nl >= a else (text.find("\n", b) + 1 or len(text))
        out.append((a, b))
        a = b
    return out or [(0, 0)]
