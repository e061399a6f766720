"""The stage contract: stages register by name, are built from their options, refuse a wrong
order, and share the encoder's states; backends register by name too."""

from __future__ import annotations

import re

import pytest

from pipeline import register_stage
from pipeline.backends import REGISTRY, get_backend, register
from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document, Mention
from pipeline.core.errors import PipelineConfigError, UnknownBackend
from pipeline.core.stage_registry import STAGES
from texts import BG

UP_TO_ENTITIES = DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1]


@pytest.fixture
def registered():
    """Names registered by a test, taken out of the registries afterwards."""
    names: list[tuple[str, str]] = []
    yield names
    for task, name in names:
        if task == "stage":
            STAGES.pop(name, None)
        else:
            REGISTRY[task].pop(name, None)


def doc(text: str, lang: str) -> Document:
    return Document(doc_id="d", source="test", text=text, lang_hint=lang)


def test_decorated_stage_is_built_with_its_options_and_runs(registered):
    registered.append(("stage", "label_count"))

    @register_stage("label_count")
    class LabelCount:
        name = "label_count"
        requires = ("entities",)
        assigns = ("label_counts",)

        def __init__(self, labels: tuple[str, ...] = ("PER",)) -> None:
            self.labels = labels

        def __call__(self, d: Document) -> Document:
            d.label_counts = {lab: sum(e.label == lab for e in d.entities)  # type: ignore[attr-defined]
                              for lab in self.labels}
            return d

    assert STAGES["label_count"] is LabelCount
    nlp = build_pipeline(PipelineConfig(stages=UP_TO_ENTITIES + ("label_count",),
                                        stage_options={"label_count": {"labels": ("PER", "LOC")}}))
    assert nlp.names[-1] == "label_count" and nlp.stages[-1].labels == ("PER", "LOC")
    out = nlp(doc(BG, "bg"))
    # the stage counted the entities the real NER stages found in the Bulgarian test text
    # (places: България, Азербайджан, София, ...; no person)
    assert out.label_counts == {"PER": sum(e.label == "PER" for e in out.entities),
                                "LOC": sum(e.label == "LOC" for e in out.entities)}
    assert out.label_counts["LOC"] >= 3


def test_called_form_returns_the_factory_and_a_later_one_replaces_it(registered):
    registered.append(("stage", "noop"))

    def first(**options):
        raise AssertionError("replaced")

    class Noop:
        name, requires, assigns = "noop", ("masked",), ()

        def __init__(self, **options) -> None:
            self.options = options

        def __call__(self, d: Document) -> Document:
            return d

    assert register_stage("noop", first) is first
    register_stage("noop", Noop)
    nlp = build_pipeline(PipelineConfig(stages=("clean", "noop")))
    assert isinstance(nlp.stages[1], Noop) and nlp.stages[1].options == {}


def test_a_stage_before_what_it_requires_is_refused(registered):
    registered.append(("stage", "needs_entities"))

    @register_stage("needs_entities")
    class NeedsEntities:
        name, requires, assigns = "needs_entities", ("entities",), ()

        def __call__(self, d: Document) -> Document:
            return d

    stages = DEFAULT_STAGES[:3] + ("needs_entities",) + DEFAULT_STAGES[3:6]
    with pytest.raises(PipelineConfigError, match=re.escape("'needs_entities' requires ['entities']")):
        build_pipeline(PipelineConfig(stages=stages))
    with pytest.raises(PipelineConfigError, match="unknown stage 'nope'"):
        build_pipeline(PipelineConfig(stages=("clean", "nope")))


def test_the_encoder_states_are_kept_for_the_last_reader_and_taken_by_it():
    full = build_pipeline()
    ner, claims, events = (full.stages[full.names.index(n)] for n in ("ner", "claims", "events"))
    # the shipped heads read the states: the NER stage keeps them, the events stage (last)
    # takes them out of the document, the claims stage leaves them to it
    assert claims.reads_states and events.reads_states
    assert ner.keep_states and events.pop_states and not claims.pop_states
    no_events = build_pipeline(PipelineConfig(events_learned=False))
    ner, claims = (no_events.stages[no_events.names.index(n)] for n in ("ner", "claims"))
    assert ner.keep_states and claims.pop_states
    lexicons = build_pipeline(PipelineConfig(events_learned=False, claims_learned=False))
    assert not lexicons.stages[lexicons.names.index("ner")].keep_states


class KeywordNer:
    """A NER backend that tags every "Lintasia" as a place."""

    name = "keyword"

    def version(self, lang: str | None = None) -> str:
        return "keyword 1"

    def supports(self, lang: str) -> bool:
        return True

    def find(self, d: Document, text: str) -> list[Mention]:
        return [Mention(m.start(), m.end(), m.group(), "LOC", self.name, 1.0)
                for m in re.finditer("Lintasia", text)]


def test_a_registered_ner_backend_is_used_by_the_ner_stage(registered):
    registered.append(("ner", "keyword"))
    with pytest.raises(UnknownBackend):
        get_backend("ner", "keyword")
    register("ner", "keyword", f"{__name__}:KeywordNer")
    assert isinstance(get_backend("ner", "keyword"), KeywordNer)
    nlp = build_pipeline(PipelineConfig(stages=UP_TO_ENTITIES, ner_backends=("keyword",)))
    text = "Menteri itu tiba di Lintasia pada hari Senin. Lintasia menjual gas."
    out = nlp(doc(text, "id"))
    assert [(m.start, m.text, m.label) for m in out.mentions] == [(20, "Lintasia", "LOC"),
                                                                  (46, "Lintasia", "LOC")]
    assert [e.label for e in out.entities] == ["LOC"]
