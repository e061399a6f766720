"""The `segment` stage: sentences and tokens per language, with spaCy blank pipelines.

A blank pipeline is spaCy's rule-based tokenizer for the language; sentences follow the rule
of spaCy's sentencizer (computed on arrays, see `sentence_starts`), and a
line break also ends a sentence (news titles and datelines have no final stop). Long texts
are cut at line breaks into chunks of bounded size, so memory does not grow with the
document; offsets are shifted back to the original text.
"""

from __future__ import annotations

from array import array
from functools import lru_cache
from typing import Any

from pipeline.stages.clean import clean_text
from pipeline.core.document import Document, Span
from pipeline.core.stage_registry import register_stage
from pipeline.text.blank import CHUNK_CHARS, blank_pipeline
from pipeline.text.tokens import Tokens

def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of ``text`` of at most about ``size`` characters.

    Cut after a line break where there is one in the second half of the window, else after
    a space, else hard: no sentence is cut unless a line is longer than ``size``.
    """
    out = []
    start = 0
    n = len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = text.rfind(" ", start + size // 2, end)
            if cut >= 0:
                end = cut + 1
        out.append((start, end))
        start = end
    return out


@register_stage('segment')
class Segment:
    """Pipeline stage: sets ``doc.sentences`` (list of `Span`) and ``doc.tokens``.

    ``doc.tokens`` is a `Tokens`: two compact arrays of offsets ``(starts, ends)`` into the
    cleaned text (whitespace is not a token), and the lookups the later stages share.
    """

    name = "segment"
    requires = ("lang",)
    assigns = ("sentences", "tokens")

    def __call__(self, doc: Document) -> Document:
        text = clean_text(doc)
        nlp = blank_pipeline(doc.lang or "xx")
        starts, ends = array("q"), array("q")
        sentences: list[Span] = []
        for c_start, c_end in chunks(text):
            chunk = text[c_start:c_end]
            tok_s, tok_e, sent_s, sent_e = split_chunk(nlp(chunk), chunk)
            starts.extend((tok_s + c_start).tolist())
            ends.extend((tok_e + c_start).tolist())
            sentences.extend(Span(a, b) for a, b in zip((sent_s + c_start).tolist(),
                                                        (sent_e + c_start).tolist()))
        doc.sentences = sentences
        doc.tokens = Tokens(starts, ends, text, doc.lang or "")
        # spaCy's version is not in the record (it is not pinned, and the same input must
        # give the same bytes on any install); an --out-dir manifest records it
        doc.extractors["segment"] = f"spacy blank:{nlp.lang}"
        return doc


def split_chunk(sdoc: Any, chunk: str) -> tuple[Any, Any, Any, Any]:
    """Token and sentence offsets (numpy arrays: token starts, ends; sentence starts, ends)
    of a spaCy doc over ``chunk``, read from its arrays rather than token by token.

    Whitespace tokens are dropped; a sentence starts where the sentencizer says (also when
    it marked the whitespace before a token) and after every line break.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH

    if len(sdoc) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    orth = sdoc.to_array([ORTH])
    arr = sdoc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]).astype(np.int64)
    idx, length, is_space = arr[:, 0], arr[:, 1], arr[:, 2] == 1
    sent = sentence_starts(orth, arr[:, 3] == 1, sentence_punct())
    _openers_start(sent, idx, length, arr[:, 3] == 1, chunk)
    words = np.flatnonzero(~is_space)
    if len(words) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    spaces = np.flatnonzero(is_space)
    # A whitespace token holding a line break, or marked as a sentence start, starts a
    # sentence at the token after it.
    marks = np.zeros(len(sdoc) + 1, dtype=bool)
    if len(spaces):
        has_break = np.fromiter(("\n" in chunk[i:i + n] for i, n in
                                 zip(idx[spaces].tolist(), length[spaces].tolist())),
                                dtype=bool, count=len(spaces))
        marks[spaces[has_break | sent[spaces]] + 1] = True
    starts = idx[words]
    ends = starts + length[words]
    first = sent[words] | marks[words]
    first[0] = True
    pos = np.flatnonzero(first)
    last = np.append(pos[1:] - 1, len(words) - 1)
    return starts, ends, starts[pos], ends[last]


@lru_cache(maxsize=1)
def sentence_punct() -> Any:
    """Hashes of spaCy's sentencizer punctuation (sentence-final characters), as an array."""
    import numpy as np
    from spacy.pipeline.sentencizer import Sentencizer
    # spacy/strings.pyi does not declare hash_string (it is in the compiled module)
    from spacy.strings import hash_string  # type: ignore[attr-defined]

    # a hash depends on the string alone, not on the vocabulary that stores it
    return np.array(sorted(hash_string(c) for c in Sentencizer.default_punct_chars),
                    dtype=np.uint64)


def sentence_starts(orth: Any, is_punct: Any, punct: Any) -> Any:
    """Sentence starts by spaCy's sentencizer rule, on arrays instead of token objects.

    The rule: after a token in ``punct`` (".", "?", "!" and their kin), the next token that
    is neither punctuation nor in ``punct`` starts a sentence. So token ``i`` starts one when
    it is such a token and a ``punct`` token lies between it and the previous such token.
    The first token always starts one.
    """
    import numpy as np

    final = np.isin(orth, punct)
    plain = ~(is_punct | final)
    count = np.cumsum(final)
    pos = np.flatnonzero(plain)
    starts = np.zeros(len(orth), dtype=bool)
    if len(pos) > 1:
        # finals seen strictly between consecutive plain tokens
        between: Any = count[pos[1:] - 1] - count[pos[:-1]]
        starts[pos[1:][between > 0]] = True
    if len(pos):
        # a plain token after leading punctuation that includes a final one
        starts[pos[0]] = pos[0] > 0 and bool(count[pos[0] - 1] > 0)
    if len(orth):
        starts[0] = True
    return starts


def _openers_start(sent: Any, idx: Any, length: Any, is_punct: Any, text: str) -> None:
    """Move each sentence start (in place) back over the opening quotes and brackets
    before it: ``… санкции. „Ние …`` starts at „, which spaCy's rule leaves at the end of
    the sentence before. An opener is punctuation glued to the next token and written
    after whitespace, in any language's quotation style.
    """
    for i in sent.nonzero()[0]:
        j = int(i) - 1
        while j >= 0 and is_punct[j] and idx[j] + length[j] == idx[j + 1] \
                and (idx[j] == 0 or text[idx[j] - 1].isspace()):
            sent[j + 1] = False
            sent[j] = True
            j -= 1

