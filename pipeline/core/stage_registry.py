"""Stages by name, and the contract every stage keeps.

A stage is any object with a ``name``, the document fields it ``requires`` and ``assigns``,
and ``__call__(doc) -> doc`` (optionally ``pipe(docs) -> docs`` for a batch). Its class (or
any factory) registers itself under its name with the `register_stage` decorator, and
`pipeline.core.core.build_pipeline` builds every stage the same way: ``STAGES[name](**options)``,
with the options `pipeline.core.core.PipelineConfig.options` gives that name. A factory that
replaces a built-in stage receives that stage's options, so it should accept ``**options``.

Two optional attributes let stages share the NER encoder's hidden states without knowing
of each other: a stage that reads them has ``reads_states`` true and a ``pop_states``
attribute, a stage that gives them has ``keep_states``. `wire_states` sets both after the
stages are built (kept when any later stage reads them; taken out by the last reader).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from pipeline.core.document import Document


class Stage(Protocol):
    """What `pipeline.core.core.Pipeline` needs of a stage."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


StageFactory = Callable[..., Any]
F = TypeVar("F", bound=StageFactory)

# name -> factory; filled by the stage modules as `pipeline.core.core` imports them
STAGES: dict[str, StageFactory] = {}


def register_stage(name: str, factory: StageFactory | None = None) -> Any:
    """Make a stage available by ``name`` to `pipeline.core.core.PipelineConfig.stages`.

    As a decorator, ``@register_stage("my_stage")`` above a class or function; or called
    as ``register_stage("my_stage", factory)``. A later registration of the same name
    replaces the earlier one. Returns the factory (the decorator form returns the
    decorator)."""
    if factory is not None:
        STAGES[name] = factory
        return factory

    def decorate(f: F) -> F:
        STAGES[name] = f
        return f

    return decorate


def wire_states(stages: Sequence[Any]) -> None:
    """Let the stages that give the encoder's hidden states keep them when a stage after
    them reads them (``reads_states``), and let the last such reader take them out of the
    document (``pop_states``); the others leave them for it."""
    readers = [s for s in stages if getattr(s, "reads_states", False)]
    for i, s in enumerate(stages):
        if hasattr(s, "keep_states"):
            s.keep_states = any(getattr(r, "reads_states", False) for r in stages[i + 1:])
        if hasattr(s, "pop_states"):
            s.pop_states = bool(readers) and s is readers[-1]
