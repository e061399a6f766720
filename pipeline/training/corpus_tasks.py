"""Events and claims learned by the NER encoder beside names (issue 13): ``corpus_tasks`` in a
transformer NER recipe (`pipeline.training.train_transformer`).

The event and claim heads of ``models/events-xx`` and ``models/claims-xx`` are linear heads
on one layer of the NER encoder, read in the same pass as the names. Trained on frozen NER
states they stop near trigger + type F1 0.55 on the dev split; an encoder fine-tuned for
triggers alone did better (session 20), and continuing a finished NER model on events lost
names (session 24, ``models/corpus/experiments/ft_multitask.py``). So the recipe can train
the encoder on the annotated corpus from the start, beside names: with ``corpus_tasks`` set,
every ``every`` NER steps also take one batch of ``batch`` corpus train sentences through two
linear heads on ``hidden_states[layer]``, BIO over the event types and three O/B/I softmaxes
for claim cue, speaker and content, their loss times ``weight`` added to the names' loss.

The heads are auxiliary: they are dropped from ``model.pt`` (`lintas train events|claims`
train the shipped heads on the exported states). The inner split of ``inner_seed`` (the
seed the event and claim heads are trained with) is left out, so that their choices are
made on sentences the encoder did not learn from; dev is never read.

    "corpus_tasks": {"layer": 6, "every": 1, "batch": 16, "weight": 1.0, "head_lr": 0.002,
                     "inner_seed": 2}

For the heads' choices to be made on unseen sentences, train them with the same corpus and
seed: ``lintas train events --seed <inner_seed>`` and ``lintas train claims --seed
<inner_seed>``, with the same ``--skip-batches`` and no ``--limit-docs`` (other batches or
documents give another inner split; another seed or other batches are refused, L044,
`train_corpus.check_unseen_inner`). `lintas train claims` then chooses its merge on the
inner split alone, not by cross-validation over train documents the encoder learnt
claims from. Only the phase whose recipe entry sets
``corpus_tasks`` has it (a ``then`` phase does not inherit it: its heads would start
anew). The gradient is clipped once over the encoder and the heads together.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.evaluation.evaluate_corpus import prf
from pipeline.learned.claims_learned import KINDS
from pipeline.learned.event_features import bio_labels, decode_bio, span_scores
from pipeline.learned.token_windows import Encoded, encode_text, pieces_of, softmax
from pipeline.training.train_corpus import CORPUS_TASKS_INNER_SEED, CorpusDoc, Log, corpus_splits
from pipeline.training.train_events import EVENT_NAMES

DEFAULTS: dict[str, Any] = {"layer": 6, "every": 1, "batch": 16, "weight": 1.0,
                            "head_lr": 2e-3, "inner_seed": CORPUS_TASKS_INNER_SEED,
                            "skip_batches": [],
                            "limit_docs": None}
CLAIM_NAMES = {k: ("O", f"B-{k}", f"I-{k}") for k in KINDS}
MAXLEN = 254  # corpus sentences longer than this many tokens are cut (a handful)


@dataclass
class Row:
    """One annotated sentence, encoded alone, with its gold spans and per-token labels."""

    lang: str
    text: str
    enc: Encoded
    triggers: list[tuple[int, int, str]]
    claims: list[tuple[int, int, str]]
    events_bio: np.ndarray  # tokens
    claims_bio: np.ndarray  # tokens x KINDS


def corpus_rows(docs: Sequence[CorpusDoc], tokenizer: Any) -> list[Row]:
    """Every annotated sentence of ``docs`` with at least one token."""
    rows = []
    for d in docs:
        for s in d.sentences:
            text = d.text[s.start:s.end]
            enc = encode_text(tokenizer, text, pieces_of(text))
            if not len(enc):
                continue
            trig = [(a, b, t) for a, b, t, _, _ in s.events]
            claims = np.stack([bio_labels(enc, [c for c in s.claims if c[2] == k],
                                          CLAIM_NAMES[k]) for k in KINDS], axis=1)
            rows.append(Row(d.lang, text, enc, trig, list(s.claims),
                            bio_labels(enc, trig, EVENT_NAMES), claims))
    return rows


def pad_rows(rows: Sequence[Row], bos: int, eos: int, pad: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Token ids, attention mask, event labels and claim labels (-100 where no loss)."""
    n = min(MAXLEN, max(len(x.enc) for x in rows)) + 2
    ids = np.full((len(rows), n), pad, np.int64)
    mask = np.zeros((len(rows), n), np.int64)
    ev = np.full((len(rows), n), -100, np.int64)
    cl = np.full((len(rows), n, len(KINDS)), -100, np.int64)
    for i, x in enumerate(rows):
        k = min(MAXLEN, len(x.enc))
        ids[i, 0], ids[i, k + 1] = bos, eos
        ids[i, 1:k + 1] = x.enc.ids[:k]
        mask[i, :k + 2] = 1
        ev[i, 1:k + 1] = x.events_bio[:k]
        cl[i, 1:k + 1] = x.claims_bio[:k]
    return ids, mask, ev, cl


def length_batches(rows: Sequence[Row], size: int, rng: random.Random | None
                   ) -> list[list[int]]:
    """Indices in batches of sentences of similar length; shuffled with ``rng``."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].enc))
    chunks = [order[k:k + size] for k in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(chunks)
    return chunks


def trigger_f1(rows: Sequence[tuple[str, str, Encoded, Sequence[tuple[int, int, str]]]],
               probs: Sequence[np.ndarray], thr: float = 0.5,
               by_lang: bool = False) -> Any:
    """Trigger + type F1 of per-token probabilities over `EVENT_NAMES` (O first), decoded as
    the shipped event heads decode theirs: a token is inside a trigger when its not-O
    probability reaches ``thr``, typed by its likeliest type. ``rows``: ``(lang, sentence
    text, Encoded, gold (start, end, type) triggers)``. A float, or by language with "all"."""
    tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (lang, text, enc, gold), p in zip(rows, probs):
        labels = np.where(1.0 - p[:, 0] >= thr, p[:, 1:].argmax(-1) + 1, 0)
        c = span_scores(decode_bio(text, enc, labels, EVENT_NAMES), gold)
        for k in ("all", lang):
            tot[k] = [a + b for a, b in zip(tot[k], c)]
    sc = {k: round(float(prf(*v)["f"]), 4) for k, v in tot.items()}
    return sc if by_lang else sc["all"]


def claims_f1(rows: Sequence[Row], probs: Sequence[np.ndarray], thr: float = 0.5) -> float:
    """Span F1 of cue and speaker (exact) and content (half overlap), pooled; ``probs``:
    tokens x KINDS x (O, B, I) per row."""
    tp = pred = gold = 0
    for x, p in zip(rows, probs):
        for j, kind in enumerate(KINDS):
            lab = np.where(1.0 - p[:, j, 0] >= thr, p[:, j, 1:].argmax(-1) + 1, 0)
            c = span_scores(decode_bio(x.text, x.enc, lab, CLAIM_NAMES[kind]),
                            [c for c in x.claims if c[2] == kind],
                            min_overlap=0.5 if kind == "content" else None)
            tp, pred, gold = tp + c[0], pred + c[1], gold + c[2]
    return round(float(prf(tp, pred, gold)["f"]), 4)


def checked_spec(spec: dict[str, Any], layers: int | None = None) -> dict[str, Any]:
    """``spec`` with the defaults filled in. Raises ValueError on an unknown key, ``every`` or
    ``batch`` below 1, or a ``layer`` the model does not have (``layers``: its block count)."""
    unknown = sorted(set(spec) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"[L043] corpus_tasks: unknown settings {', '.join(unknown)} "
                         f"(known: {', '.join(DEFAULTS)})")
    full = {**DEFAULTS, **spec}
    if int(full["every"]) < 1 or int(full["batch"]) < 1:
        raise ValueError("[L043] corpus_tasks: `every` and `batch` must be at least 1")
    if not 0 < int(full["layer"]) <= (layers if layers is not None else int(full["layer"])):
        raise ValueError(f"[L043] corpus_tasks: layer {full['layer']} is not one of the "
                         f"model's blocks 1..{layers}")
    return full


class CorpusTasks:
    """The auxiliary event and claim heads and the corpus batches they learn from."""

    def __init__(self, spec: dict[str, Any], tokenizer: Any, hidden: int, seed: int,
                 special: tuple[int, int, int], log: Log, layers: int | None = None) -> None:
        import torch

        self.spec = checked_spec(spec, layers)
        docs, held, train_docs = corpus_splits(
            int(self.spec["inner_seed"]), self.spec["limit_docs"], log,
            note=" (corpus tasks: the inner split is left out)",
            skip_batches=self.spec["skip_batches"])
        self.fit = corpus_rows([d for d in train_docs if d.doc not in held], tokenizer)
        self.inner = corpus_rows([d for d in train_docs if d.doc in held], tokenizer)
        log(f"corpus tasks: {len(self.fit)} sentences to learn from, {len(self.inner)} inner "
            f"ones to report on, heads on hidden_states[{self.spec['layer']}]")
        self.events = torch.nn.Linear(hidden, len(EVENT_NAMES))
        self.claims = torch.nn.Linear(hidden, 3 * len(KINDS))
        self.special = special
        self.seed = seed
        self.per_epoch = len(length_batches(self.fit, int(self.spec["batch"]), None))
        self.loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def parameters(self) -> list[Any]:
        """The two heads' parameters (their own learning rate, ``head_lr``)."""
        return list(self.events.parameters()) + list(self.claims.parameters())

    def due(self, step: int) -> bool:
        """Whether NER step ``step`` also takes a corpus batch."""
        return step % int(self.spec["every"]) == 0

    def logits(self, model: Any, ids: Any, mask: Any) -> tuple[Any, Any]:
        """Event logits (batch x tokens x types) and claim logits (… x KINDS x 3)."""
        h = model.bert(input_ids=ids, attention_mask=mask,
                       output_hidden_states=True).hidden_states[int(self.spec["layer"])]
        return self.events(h), self.claims(h).view(*h.shape[:2], len(KINDS), 3)

    def batch(self, step: int) -> list[int]:
        """The corpus batch of NER step ``step`` (a due one): epoch after epoch of the corpus,
        each in its own seeded order, so that a resumed run takes the same batches."""
        taken = step // int(self.spec["every"])
        epoch, at = divmod(taken, self.per_epoch)
        rng = random.Random(f"{self.seed}/{epoch}")
        return length_batches(self.fit, int(self.spec["batch"]), rng)[at]

    def loss(self, model: Any, step: int) -> Any:
        """The weighted event + claim loss of step ``step``'s corpus batch."""
        import torch

        ids, mask, ev, cl = pad_rows([self.fit[i] for i in self.batch(step)], *self.special)
        ev_logits, cl_logits = self.logits(model, torch.from_numpy(ids), torch.from_numpy(mask))
        loss = (self.loss_fn(ev_logits.reshape(-1, ev_logits.shape[-1]),
                             torch.from_numpy(ev).reshape(-1))
                + self.loss_fn(cl_logits.reshape(-1, 3), torch.from_numpy(cl).reshape(-1)))
        return float(self.spec["weight"]) * loss

    def predict(self, model: Any, rows: Sequence[Row]) -> tuple[list[np.ndarray],
                                                                list[np.ndarray]]:
        """Per-token event and claim probabilities of ``rows`` (read in eval mode; the
        model's mode is restored)."""
        import torch

        was_training = model.training
        model.eval()
        events: list[np.ndarray] = [np.zeros(0)] * len(rows)
        claims: list[np.ndarray] = [np.zeros(0)] * len(rows)
        with torch.no_grad():
            for chunk in length_batches(rows, 32, None):
                ids, mask, _, _ = pad_rows([rows[i] for i in chunk], *self.special)
                ev, cl = self.logits(model, torch.from_numpy(ids), torch.from_numpy(mask))
                ev_np, cl_np = ev.float().numpy(), cl.float().numpy()
                for r, i in enumerate(chunk):
                    n, k = len(rows[i].enc), min(MAXLEN, len(rows[i].enc))
                    pe = np.zeros((n, len(EVENT_NAMES)), np.float32)
                    pe[:, 0] = 1.0
                    pe[:k] = softmax(ev_np[r, 1:k + 1])
                    pc = np.zeros((n, len(KINDS), 3), np.float32)
                    pc[:, :, 0] = 1.0
                    pc[:k] = softmax(cl_np[r, 1:k + 1])
                    events[i], claims[i] = pe, pc
        model.train(was_training)
        return events, claims

    def inner_scores(self, model: Any) -> dict[str, float]:
        """Trigger + type and claim span F1 of the heads on the inner split."""
        events, claims = self.predict(model, self.inner)
        rows = [(x.lang, x.text, x.enc, x.triggers) for x in self.inner]
        return {"trigger_type_f1": trigger_f1(rows, events),
                "claims_f1": claims_f1(self.inner, claims)}

    def state_dict(self) -> dict[str, Any]:
        """The heads' weights, for a checkpoint."""
        return {"events": self.events.state_dict(), "claims": self.claims.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Heads from a checkpoint."""
        self.events.load_state_dict(state["events"])
        self.claims.load_state_dict(state["claims"])
