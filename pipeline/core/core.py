"""The pipeline: an ordered list of named stages, checked when it is built.

Each stage has a ``name``, the document fields it ``requires`` and ``assigns``, and a
``__call__(doc) -> doc`` (`pipeline.core.stage_registry`: the contract, and how a stage registers
itself by name). `build_pipeline` builds every stage of a `PipelineConfig` the same way,
from its registered factory and `PipelineConfig.options`. `Pipeline.process` turns one input into its records and turns a
stage failure into an ``error`` record, so that one bad document never costs another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Union

# each stage module registers its stage (`stage_registry.register_stage`) when imported
from pipeline.stages import claims, clean, entities, events, langid, ner_rule_stage, relations, segment  # noqa: F401
from pipeline.core.document import Document, ErrorRecord
from pipeline.core.errors import PipelineConfigError
from pipeline.stages.ner_stage import DEFAULT_NER
from pipeline.io.records import doc_records, error_record, stage_error_record
from pipeline.core.sections import SECTION_CHARS, process_sectioned
from pipeline.core.spool import SpooledRecords
from pipeline.core.stage_registry import STAGES, wire_states
from pipeline.stages.translated import CARRIED, ThroughTranslation

# One input's records: in memory, or in a temp file for a sectioned document.
Records = Union[list[dict[str, Any]], SpooledRecords]

# ner finds the mentions, ner_rules fixes them, entities clusters them; claims before
# events: an event inside attributed speech is "reported"
DEFAULT_STAGES = ("clean", "langid", "segment", "ner", "ner_rules", "entities", "relations",
                  "claims", "events")
# Before the NER rules became a stage of their own, one stage "entities" found the mentions,
# ran the rules and clustered; a list that names "entities" without "ner" still means that.
ENTITY_STAGES = ("ner", "ner_rules", "entities")


@dataclass(frozen=True)
class PipelineConfig:
    """What a run uses; picklable, so worker processes build the same pipeline."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    langid_backend: str = "py3langid"
    ner_backends: tuple[str, ...] = DEFAULT_NER
    # per-backend options, e.g. {"spacy": {"model_dir": "/tmp/new-model"}}
    ner_options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    ner_rules: bool = True  # False: no ner_rules stage (the backends' mentions as merged)
    # rules of the ner_rules stage to leave out, by name (ner_rule_stage.RULES; measuring)
    ner_skip_rules: tuple[str, ...] = ()
    # False: events from the lexicons alone, without the learned heads of models/events-xx
    events_learned: bool = True
    events_model: str | None = None  # another events model folder (training, tests)
    # True: the events and claims stages encode a document no transformer NER pass read
    # (Indonesian with its spaCy NER) to run the learned heads on it; 6.6x slower there
    # (measured for events)
    events_encode: bool = False
    # False: claims from the lexicons alone, without the learned head of models/claims-xx
    claims_learned: bool = True
    claims_model: str | None = None  # another claims model folder (training, tests)
    # options by stage name, over those of the fields above (a registered stage's own)
    stage_options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)

    def options(self, stage: str) -> dict[str, Any]:
        """The keyword options the factory registered as ``stage`` is built with: the
        fields above that belong to it, then ``stage_options[stage]`` over them."""
        own: dict[str, dict[str, Any]] = {
            "langid": {"backend": self.langid_backend},
            "ner": {"backends": self.ner_backends, "options": self.ner_options},
            "ner_rules": {"skip_rules": self.ner_skip_rules},
            "events": {"learned": self.events_learned, "model_dir": self.events_model,
                       "ner_options": self.ner_options, "encode": self.events_encode},
            "claims": {"learned": self.claims_learned, "model_dir": self.claims_model,
                       "ner_options": self.ner_options, "encode": self.events_encode},
        }
        return {**own.get(stage, {}), **self.stage_options.get(stage, {})}


class Pipeline:
    """Stages in order; raises `PipelineConfigError` if one lacks what it requires."""

    def __init__(self, stages: list[Any]) -> None:
        provided: set[str] = set()
        for stage in stages:
            missing = [r for r in stage.requires if r not in provided]
            if missing:
                raise PipelineConfigError(
                    f"stage {stage.name!r} requires {missing}, which no earlier stage "
                    f"assigns; put the stages that assign them first"
                )
            provided.update(stage.assigns)
        self.stages = stages
        # documents longer than this go through the stages in sections
        self.section_chars = SECTION_CHARS

    @property
    def names(self) -> list[str]:
        """Stage names in order."""
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Document:
        for stage in self.stages:
            doc = stage(doc)
        return doc

    def process(self, item: Document | ErrorRecord) -> Records:
        """Records for one input: its document's records, or one error record (a list; for
        a document over ``section_chars`` characters, a `SpooledRecords` to read once)."""
        return self.process_batch([item])[0]

    def process_batch(self, items: list[Document | ErrorRecord]) -> list[Records]:
        """Records for each of ``items``, in order: a list, or for a document over
        ``section_chars`` characters a temp file of them (`pipeline.core.sections`).

        Stages with a batched ``pipe(docs)`` get the batch's documents at once (the NER
        model then fills its matrices with several documents); if that fails, the stage
        runs document by document, so that only the documents that fail become errors.
        """
        failed: dict[int, dict[str, Any]] = {}
        # a document too long to hold whole goes through the stages in sections, below
        long = {i for i, item in enumerate(items)
                if isinstance(item, Document) and len(item.text) > self.section_chars}
        live = [(i, item) for i, item in enumerate(items)
                if isinstance(item, Document) and i not in long]
        for stage in self.stages:
            if not live:
                break
            batched = getattr(stage, "pipe", None)
            if batched is not None and len(live) > 1:
                try:
                    done = batched([doc for _, doc in live])
                    live = list(zip([i for i, _ in live], done))
                    continue
                except Exception:  # noqa: BLE001 - find the failing document below
                    pass
            survivors = []
            for i, doc in live:
                try:
                    survivors.append((i, stage(doc)))
                except Exception as exc:  # noqa: BLE001 - any failure becomes a record
                    failed[i] = stage_error_record(doc, stage.name, exc)
            live = survivors
        finished = dict(live)
        out: list[Records] = []
        for i, item in enumerate(items):
            if isinstance(item, ErrorRecord):
                out.append([error_record(item)])
            elif i in long:
                try:
                    out.append(process_sectioned(self.stages, item, self.section_chars))
                except Exception as exc:  # noqa: BLE001 - e.g. no room for its temp files
                    out.append([stage_error_record(item, "sections", exc)])
            elif i in failed:
                out.append([failed[i]])
            else:
                out.append(doc_records(finished[i]))
        return out

    def pipe(self, items: Iterable[Document | ErrorRecord],
             batch_size: int = 16) -> Iterator[Records]:
        """Records per input, lazily and in input order, ``batch_size`` inputs at a time."""
        for batch in batches(items, batch_size):
            yield from self.process_batch(batch)


# A batch is closed early at this many characters, so that a run of huge documents does
# not hold many of them at once.
BATCH_MAX_CHARS = 1_000_000


def batches(items: Iterable[Document | ErrorRecord], size: int,
            max_chars: int = BATCH_MAX_CHARS) -> Iterator[list[Document | ErrorRecord]]:
    """Consecutive lists of at most ``size`` inputs and about ``max_chars`` characters."""
    batch: list[Document | ErrorRecord] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += len(item.text) if isinstance(item, Document) else 0
        if len(batch) >= size or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def stage_names(config: PipelineConfig) -> tuple[str, ...]:
    """The stages ``config`` runs, in order: "entities" listed without "ner" stands for
    `ENTITY_STAGES` (the one entity stage of earlier versions), and "ner_rules" is left out
    when ``config.ner_rules`` is False."""
    names = config.stages
    if "entities" in names and "ner" not in names:
        i = names.index("entities")
        names = names[:i] + ENTITY_STAGES + names[i + 1:]
    if not config.ner_rules:
        names = tuple(n for n in names if n != "ner_rules")
    return names


def build_pipeline(config: PipelineConfig | None = None) -> Pipeline:
    """A `Pipeline` from ``config`` (the default stages and backends when None)."""
    config = config or PipelineConfig()
    names = stage_names(config)
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        raise PipelineConfigError(f"unknown stage {unknown[0]!r}; known: {sorted(STAGES)}")
    stages = [STAGES[name](**config.options(name)) for name in names]
    # the NER stage keeps its encoder states for the learned claims and events heads
    wire_states(stages)
    if "translate" in config.ner_backends:
        # documents the translate backend read get their relations, claims and events
        # from the English, mapped back (`pipeline.stages.translated`)
        wrapped = [i for i, s in enumerate(stages) if s.name in ("entities", *CARRIED)]
        stages = [ThroughTranslation(s, last=i == wrapped[-1]) if i in wrapped else s
                  for i, s in enumerate(stages)]
    return Pipeline(stages)
