"""The pipeline: an ordered list of named stages, checked when it is built.

Each stage has a ``name``, the document fields it ``requires`` and ``assigns``, and a
``__call__(doc) -> doc``. `Pipeline.process` turns one input into its records and turns a
stage failure into an ``error`` record, so that one bad document never costs another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Union

from .claims import Claims
from .clean import Clean
from .document import Document, ErrorRecord
from .entities import Entities
from .events import Events
from .errors import PipelineConfigError
from .langid import LangId
from .ner_rule_stage import NerRules
from .ner_stage import DEFAULT_NER, Ner
from .records import doc_records, error_record, stage_error_record
from .relations import Relations
from .sections import SECTION_CHARS, process_sectioned
from .segment import Segment
from .spool import SpooledRecords
from .translated import CARRIED, ThroughTranslation

# One input's records: in memory, or in a temp file for a sectioned document.
Records = Union[list[dict[str, Any]], SpooledRecords]

STAGES: dict[str, Callable[..., Any]] = {
    "clean": Clean,
    "langid": LangId,
    "segment": Segment,
    "ner": Ner,
    "ner_rules": NerRules,
    "entities": Entities,
    "relations": Relations,
    "events": Events,
    "claims": Claims,
}
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


def register_stage(name: str, factory: Callable[..., Any]) -> None:
    """Make a stage available by ``name`` to `PipelineConfig.stages`."""
    STAGES[name] = factory


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
        ``section_chars`` characters a temp file of them (`pipeline.sections`).

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
    # the events stage first: whether it reads the encoder's states decides whether the
    # NER stage keeps them
    events = (Events(learned=config.events_learned, model_dir=config.events_model,
                     ner_options=config.ner_options, encode=config.events_encode)
              if "events" in names and STAGES["events"] is Events else None)
    events_read = events is not None and events.reads_states
    # the claims stage runs before the events stage: it leaves the states to it
    claims = (Claims(learned=config.claims_learned, model_dir=config.claims_model,
                     ner_options=config.ner_options, encode=config.events_encode,
                     pop_states=not events_read)
              if "claims" in names and STAGES["claims"] is Claims else None)
    keep_states = events_read or (claims is not None and claims.reads_states)
    stages = []
    for name in names:
        if name not in STAGES:
            raise PipelineConfigError(f"unknown stage {name!r}; known: {sorted(STAGES)}")
        if name == "langid":
            stages.append(LangId(backend=config.langid_backend))
        elif name == "events" and events is not None:
            stages.append(events)
        elif name == "claims" and claims is not None:
            stages.append(claims)
        elif name == "ner":
            stages.append(Ner(backends=config.ner_backends, options=config.ner_options,
                              keep_states=keep_states))
        elif name == "ner_rules":
            stages.append(NerRules(skip_rules=config.ner_skip_rules))
        else:
            stages.append(STAGES[name]())
    if "translate" in config.ner_backends:
        # documents the translate backend read get their relations, claims and events
        # from the English, mapped back (`pipeline.translated`)
        wrapped = [i for i, s in enumerate(stages) if s.name in ("entities", *CARRIED)]
        stages = [ThroughTranslation(s, last=i == wrapped[-1]) if i in wrapped else s
                  for i, s in enumerate(stages)]
    return Pipeline(stages)
