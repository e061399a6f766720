"""The document's token view (`pipeline.text.tokens.Tokens`)."""

from __future__ import annotations

import copy
import pickle

from pipeline.core.document import Document
from pipeline.text.tokens import Tokens

TEXT = "Tokayev bertemu Putin di Astana."


def view() -> Tokens:
    return Tokens([0, 8, 16, 22, 25, 31], [7, 15, 21, 24, 31, 32], TEXT, "id")


def test_unpacks_as_offsets_and_builds_its_tables_from_the_text():
    starts, ends = view()
    assert list(starts) == [0, 8, 16, 22, 25, 31] and list(ends)[-1] == 32
    assert view().words == ["Tokayev", "bertemu", "Putin", "di", "Astana", "."]
    assert view().positions["putin"] == [2] and view().index[25] == 4


def test_views_compare_by_what_they_cut_not_by_their_tables():
    a, b = view(), view()
    a.words  # a table built on one of them only
    assert a == b and a == pickle.loads(pickle.dumps(b)) and a == copy.deepcopy(a)
    assert a != Tokens([0], [7], TEXT, "id") and a != Tokens(a.starts, a.ends, TEXT, "ms")
    doc = Document(doc_id="d", source="s", text=TEXT)
    doc.tokens = view()
    other = copy.deepcopy(doc)
    assert other == doc  # documents compare as they did when tokens were two lists


def test_a_document_before_segmentation_gives_its_own_empty_view():
    doc, other = Document(doc_id="a", source="s", text=TEXT), Document(doc_id="b", source="s",
                                                                       text="x")
    empty = doc.token_offsets
    assert list(empty.starts) == [] and empty.words == []
    empty.candidates("an index", lambda t: [1])  # a table on one document's empty view ...
    assert other.token_offsets._candidates == {}  # ... is not on another's
