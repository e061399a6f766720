"""The learned argument head's decoding and its merge with the clause rules' arguments."""

from __future__ import annotations

import numpy as np

from pipeline.learned.event_args import (ARGUMENT_MERGES, ROLE_NAMES, argument_features,
                                 decode_arguments, merge_arguments)
from pipeline.learned.token_windows import Encoded

TEXT = "Rusia dan Kazakhstan menandatangani Kerja Sama Rantai Pasokan di Astana."
WORDS = [(0, 5), (6, 9), (10, 20), (21, 35), (36, 41), (42, 46), (47, 53), (54, 61),
         (62, 64), (65, 71), (71, 72)]
ENC = Encoded(np.arange(len(WORDS)), np.array([s for s, _ in WORDS]),
              np.array([e for _, e in WORDS]), np.array([k == 0 for k in range(len(WORDS))]))
TRIGGER = (21, 35)


def _logits(labels: list[str], sure: float = 5.0) -> np.ndarray:
    z = np.zeros((len(labels), len(ROLE_NAMES)), np.float32)
    for k, name in enumerate(labels):
        z[k, ROLE_NAMES.index(name)] = sure
    return z


def test_decode_joins_a_title_marked_in_pieces_and_keeps_coordinated_names_apart():
    labels = ["B-actor", "O", "B-actor", "B-actor", "B-topic", "I-topic", "B-topic",
              "B-topic", "O", "B-location", "O"]
    spans = decode_arguments(TEXT, ENC, _logits(labels), TRIGGER)
    got = [(TEXT[s:e], role) for s, e, role in spans]
    # "dan" stands between the two actors: two arguments; the topic's pieces are one;
    # the label on the trigger itself is dropped
    assert got == [("Rusia", "actor"), ("Kazakhstan", "actor"),
                   ("Kerja Sama Rantai Pasokan", "topic"), ("Astana", "location")]


def test_decode_keeps_a_token_only_when_it_is_likely_enough_not_O():
    z = _logits(["O"] * len(WORDS), sure=6.0)  # P(not O) about 0.05
    z[9, 0], z[9, ROLE_NAMES.index("B-location")] = 4.0, 3.0  # "Astana": about 0.42
    assert decode_arguments(TEXT, ENC, z, TRIGGER, threshold=0.5) == []
    assert [TEXT[s:e] for s, e, _ in decode_arguments(TEXT, ENC, z, TRIGGER, 0.3)] == ["Astana"]


def test_merge_policies():
    rules = [("actor", 0, 5), ("counterpart", 10, 20)]
    learned = [("actor", 10, 20), ("topic", 36, 61), ("counterpart", 36, 41)]
    assert merge_arguments(rules, learned, "rules") == rules
    assert merge_arguments(rules, learned, "learned") == learned
    # the rules first: the head adds only a role the rules left empty, never over a span
    assert merge_arguments(rules, learned, "rules_first") == rules + [("topic", 36, 61)]
    assert merge_arguments(rules, learned, "learned_first") == learned
    assert set(ARGUMENT_MERGES) == {"rules", "learned", "rules_first", "learned_first"}


def test_features_mark_the_trigger_and_the_distance_to_it():
    states = np.random.default_rng(0).normal(size=(len(WORDS), 4)).astype(np.float16)
    x = argument_features(states, ENC, *TRIGGER)
    assert x.shape == (len(WORDS), 4 * 3 + 11 + 1)
    assert x[:, -1].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]  # inside the trigger
    np.testing.assert_allclose(x[0, 4:8], states[3].astype(np.float32))  # the trigger's state
    assert argument_features(states, ENC, 100, 110) is None


def test_a_token_far_before_the_trigger_is_in_the_first_distance_bucket():
    n = 120
    enc = Encoded(np.arange(n), np.arange(n) * 2, np.arange(n) * 2 + 1, np.zeros(n, bool))
    x = argument_features(np.zeros((n, 2), np.float16), enc, 2 * (n - 1), 2 * n)
    buckets = x[:, 6:17]
    assert buckets[0].argmax() == 0 and buckets[0].sum() == 1  # 119 tokens before
    assert buckets[n - 1].argmax() == 5  # inside the trigger
