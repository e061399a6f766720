"""Learned claims: cue, speaker and content heads on the NER encoder's states (issue 13).

``models/claims-xx`` (written by `lintas train claims`, `pipeline.training.train_claims`) holds one
numpy head over the hidden states of the layer the NER graph returns for the events heads
(``hidden_layer`` in ``models/ner-xx/model.json``): three softmaxes side by side, per
token, ``O`` / ``B`` / ``I`` of a claim's **cue** ("заявил", "said", "според"), its
**speaker** ("Песков", "the minister", the clitic "nya" of "katanya") and its **content**.

Per sentence (`ClaimHeads.claims`):

- cues and speakers are read as BIO spans, a token being inside when its probability of not
  being ``O`` reaches the model's threshold; an Indonesian cue word ending in an enclitic
  that the head also took as the speaker ("katanya") is split into the cue ("kata") and the
  speaker ("nya");
- a content is long and its per-token tags are ragged, so it is read as runs of smoothed
  probabilities (`event_features.decode_runs`), and only in a sentence with a cue (a
  sentence without one continues the quote of the sentence before, `pipeline.stages.claims`);
- each content takes the nearest cue, and the speaker nearest to that cue.

The claims stage (`pipeline.stages.claims`) turns them into claims with the rules' checks (trim,
at least three words, not in boilerplate, no overlap) and combines them with the lexicon
claims as the model's ``merge`` says (`MERGES`, chosen by cross-validation on the train
split, `pipeline.training.train_claims`).
Like the events heads, the head is None when the NER model is not the one it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pipeline.learned.event_features import decode_bio, decode_runs
from pipeline.learned.events_learned import Heads, HeadWeights, read_heads_folder, reads_this_encoder, softmax
from pipeline.lexicon.lexicons import models_dir
from pipeline.learned.token_windows import Encoded

MODEL = "claims-xx"
KINDS = ("cue", "speaker", "content")
# How learned and lexicon claims are combined: the lexicon's alone, the head's alone, or
# one set first and the other's claims where they do not overlap it.
MERGES = ("lexicon", "learned", "lexicon_first", "learned_first")
# content decoding (`event_features.decode_runs`) unless the model says otherwise
CONTENT = {"thr": 0.4, "smooth": 2, "max_gap": 8}

Pos = tuple[int, int]


@dataclass
class LearnedClaim:
    """A claim the head found in one sentence: offsets into the sentence's text."""

    content: Pos
    cue: Pos | None
    speaker: Pos | None
    prob: float  # mean probability of the content's tokens being inside a content


@dataclass
class ClaimHeads(Heads):
    """The head of a ``models/claims-xx`` folder and the settings chosen with it."""

    head: HeadWeights
    NAME: ClassVar[str] = "lintas-claims-xx"
    DEFAULT_MERGE: ClassVar[str] = "lexicon_first"

    def spans(self, text: str, enc: Encoded, x: np.ndarray, enclitics: tuple[str, ...] = (),
              continuation: bool = False) -> dict[str, list[Pos]]:
        """Cue, speaker and content spans of one sentence (``text``; ``enc``: its tokens,
        offsets into ``text``; ``x``: their states). Content is read only in a sentence with
        a cue, or with ``continuation`` (the sentence goes on a quote): then only a content
        that starts the sentence."""
        if not len(enc):
            return {k: [] for k in KINDS}
        return self._spans(text, enc, softmax(self.head.logits(x)), enclitics, continuation)

    def _spans(self, text: str, enc: Encoded, p: np.ndarray, enclitics: tuple[str, ...],
               continuation: bool) -> dict[str, list[Pos]]:
        # p: tokens x 3 (cue, speaker, content) x (O, B, I)
        out: dict[str, list[Pos]] = {k: [] for k in KINDS}
        thr = float(self.info.get("threshold", 0.5))
        for g, kind in enumerate(KINDS[:2]):
            inside = 1.0 - p[:, g, 0]
            labels = np.where(inside >= thr, p[:, g, 1:].argmax(-1) + 1, 0)
            out[kind] = [(s, e) for s, e, _ in decode_bio(text, enc, labels,
                                                          ("O", f"B-{kind}", f"I-{kind}"))]
        out["cue"], out["speaker"] = split_enclitics(text, out["cue"], out["speaker"], enclitics)
        if out["cue"] or continuation:
            cfg = {**CONTENT, **self.info.get("content", {})}
            runs = [(s, e) for s, e, _ in decode_runs(text, enc, p[:, 2, 1] + p[:, 2, 2],
                                                      "content", **cfg)]
            if not out["cue"]:
                lead = len(text) - len(text.lstrip(" \t\"'«„“”»-–—"))
                runs = [r for r in runs[:1] if r[0] <= lead + 1]
            out["content"] = runs
        return out

    def claims(self, text: str, enc: Encoded, x: np.ndarray, enclitics: tuple[str, ...] = (),
               continuation: bool = False) -> list[LearnedClaim]:
        """The claims of one sentence (as `spans` reads them): each content with its
        nearest cue and the speaker nearest to that cue (to the content when there is no
        cue)."""
        if not len(enc):
            return []
        p = softmax(self.head.logits(x))
        sp = self._spans(text, enc, p, enclitics, continuation)
        inside = p[:, 2, 1] + p[:, 2, 2]
        out = []
        for c in sp["content"]:
            cue = _nearest(sp["cue"], c)
            if cue is not None and c[0] < cue[1] and cue[0] < c[1]:
                # a content never holds its own cue ("X, who …, заявил, что …" read as one
                # run from X on): what follows the cue, unless that is under three words
                after = (cue[1], c[1])
                c = after if len(text[after[0]:after[1]].split()) >= 3 else (c[0], cue[0])
            # a name inside the content is someone it speaks of, not its speaker
            speaker = _nearest([s for s in sp["speaker"] if s[1] <= c[0] or s[0] >= c[1]],
                               cue or c)
            tok = (enc.starts < c[1]) & (enc.ends > c[0])
            prob = float(inside[tok].mean()) if tok.any() else 0.0
            out.append(LearnedClaim(c, cue, speaker, round(prob, 4)))
        # a cue introduces one statement: of the contents paired with one cue, the likeliest
        best: dict[Pos, LearnedClaim] = {}
        for lc in out:
            key = lc.cue if lc.cue is not None else lc.content
            if key not in best or lc.prob > best[key].prob:
                best[key] = lc
        return sorted(best.values(), key=lambda lc: lc.content)


def _gap(a: Pos, b: Pos) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(a[0] - b[1], b[0] - a[1], 0)


def _nearest(spans: list[Pos], to: Pos) -> Pos | None:
    return min(spans, key=lambda s: (_gap(s, to), s[0]), default=None)


def split_enclitics(text: str, cues: list[Pos], speakers: list[Pos],
                    enclitics: tuple[str, ...]) -> tuple[list[Pos], list[Pos]]:
    """Where a speaker span ends where a cue ends and the word ends in an enclitic
    ("katanya": "kata" + "nya", he said), the cue becomes the stem and the speaker the
    enclitic (words are whole after decoding, so both spans cover all of "katanya")."""
    if not enclitics:
        return cues, speakers
    cues, out = list(cues), []
    for s, e in speakers:
        word = text[s:e]
        clitic = next((c for c in enclitics if word.endswith(c) and len(word) > len(c) + 1), None)
        i = next((i for i, (cs, ce) in enumerate(cues) if ce == e and cs <= s), None)
        if clitic and i is not None:
            cues[i] = (cues[i][0], e - len(clitic))
            out.append((e - len(clitic), e))
        else:
            out.append((s, e))
    return cues, out


def default_dir() -> Path:
    """``models/claims-xx``."""
    return models_dir() / MODEL


@lru_cache(maxsize=4)
def _load(model_dir: str) -> ClaimHeads | None:
    read = read_heads_folder(Path(model_dir))
    return None if read is None else ClaimHeads(read[0], HeadWeights.from_arrays(read[1], "claim/"))


def reload() -> None:
    """Forget the heads read so far (after `lintas train claims` wrote new ones)."""
    _load.cache_clear()


def load_claim_heads(model_dir: Path | None = None,
                     ner_options: dict[str, dict[str, Any]] | None = None) -> ClaimHeads | None:
    """The head of ``model_dir`` (default ``models/claims-xx``) when it exists and was
    trained on the states the pipeline's NER model returns (its ``onnx_sha256`` and
    ``hidden_layer``), else None."""
    heads = _load(str(model_dir or default_dir()))
    return heads if heads is not None and reads_this_encoder(heads.info, ner_options) else None
