"""The pipeline: an ordered list of named stages, checked when it is built.

Each stage has a ``name``, the document fields it ``requires`` and ``assigns``, and a
``__call__(doc) -> doc``. `Pipeline.process` turns one input into its records and turns a
stage failure into an ``error`` record, so that one bad document never costs another.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable

from .clean import Clean
from .document import Document, ErrorRecord
from .entities import Entities
from .errors import PipelineConfigError
from .langid import LangId
from .records import doc_records, error_record
from .segment import Segment

STAGES: dict[str, Callable[..., Any]] = {
    "clean": Clean,
    "langid": LangId,
    "segment": Segment,
    "entities": Entities,
}
DEFAULT_STAGES = ("clean", "langid", "segment", "entities")


@dataclass(frozen=True)
class PipelineConfig:
    """What a run uses; picklable, so worker processes build the same pipeline."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    langid_backend: str = "py3langid"
    ner_backends: tuple[str, ...] = ("spacy", "gazetteer")
    # per-backend options, e.g. {"spacy": {"model_dir": "/tmp/new-model"}}
    ner_options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)


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

    @property
    def names(self) -> list[str]:
        """Stage names in order."""
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Document:
        for stage in self.stages:
            doc = stage(doc)
        return doc

    def process(self, item: Document | ErrorRecord) -> list[dict[str, Any]]:
        """Records for one input: its document and entity records, or one error record."""
        if isinstance(item, ErrorRecord):
            return [error_record(item)]
        doc = item
        for stage in self.stages:
            try:
                doc = stage(doc)
            except Exception as exc:  # noqa: BLE001 - any failure becomes a record
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                return [error_record(ErrorRecord(source=doc.source, stage=stage.name,
                                                 error=detail, doc_id=doc.doc_id))]
        return doc_records(doc)

    def pipe(self, items: Iterable[Document | ErrorRecord]) -> Iterator[list[dict[str, Any]]]:
        """Records per input, lazily and in input order."""
        for item in items:
            yield self.process(item)


def build_pipeline(config: PipelineConfig | None = None) -> Pipeline:
    """A `Pipeline` from ``config`` (the default stages and backends when None)."""
    config = config or PipelineConfig()
    stages = []
    for name in config.stages:
        if name not in STAGES:
            raise PipelineConfigError(f"unknown stage {name!r}; known: {sorted(STAGES)}")
        if name == "langid":
            stages.append(LangId(backend=config.langid_backend))
        elif name == "entities":
            stages.append(Entities(backends=config.ner_backends, options=config.ner_options))
        else:
            stages.append(STAGES[name]())
    return Pipeline(stages)
