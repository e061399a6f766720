"""The protocols that backends follow, one per task."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pipeline.core.document import Document, Mention


@runtime_checkable
class LangIdBackend(Protocol):
    """Language identification: ranked ``(ISO 639-1 code, probability)`` pairs."""

    name: str

    def version(self) -> str:
        """Name and version of the library, for the document's ``extractors`` field."""
        ...

    def detect(self, text: str) -> list[tuple[str, float]]:
        """Candidates for ``text``, most probable first; probabilities sum to at most 1."""
        ...


def detect_parts(backend: LangIdBackend, parts: list[str], judged: int) -> tuple[
        list[tuple[str, float]], list[list[tuple[str, float]]]]:
    """The ranking of ``parts`` joined by spaces and of each of the first ``judged``
    parts: from the backend's own ``detect_parts`` when it has one (one pass over the
    text), else one ``detect`` call each."""
    own = getattr(backend, "detect_parts", None)
    return own(parts, judged) if own is not None else detect_each(backend, parts, judged)


def detect_each(backend: LangIdBackend, parts: list[str], judged: int) -> tuple[
        list[tuple[str, float]], list[list[tuple[str, float]]]]:
    """`detect_parts` with one ``detect`` call for the joined parts and one per part."""
    return backend.detect(" ".join(parts)), [backend.detect(p) for p in parts[:judged]]


@runtime_checkable
class NerBackend(Protocol):
    """Named-entity recognition over a segmented document."""

    name: str

    def version(self, lang: str | None = None) -> str:
        """Name and version of the model used for ``lang``, for ``extractors``."""
        ...

    def supports(self, lang: str) -> bool:
        """Whether this backend has a model for ``lang``."""
        ...

    def find(self, doc: Document, text: str) -> list[Mention]:
        """Mentions in ``text`` (the document's cleaned text: same offsets as doc.text)."""
        ...


@runtime_checkable
class MtBackend(Protocol):
    """Machine translation, sentence by sentence."""

    name: str

    def version(self) -> str:
        """The model and library, for the document's ``translation`` field."""
        ...

    def supports(self, src: str, tgt: str = "en") -> bool:
        """Whether the model translates ``src`` into ``tgt`` (ISO 639-1)."""
        ...

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        """One translation per sentence, in order; the same input gives the same output."""
        ...


def dist_version(dist: str) -> str:
    """The installed version of distribution ``dist`` (``"unknown"`` if not found)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"
