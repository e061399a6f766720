"""Language ID with langdetect (a port of Google's language-detection), seeded."""

from __future__ import annotations

from pipeline.core.errors import MissingDependency


class LangdetectLangId:
    """langdetect backend. Seeded, so that the same text always gets the same answer.

    langdetect has no Malay profile: Malay text comes out as Indonesian.
    """

    name = "langdetect"

    def __init__(self, seed: int = 0) -> None:
        try:
            import langdetect
            from langdetect import DetectorFactory
            from langdetect.detector_factory import init_factory
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise MissingDependency("langdetect", 'pip install "lintas"') from exc
        DetectorFactory.seed = seed
        init_factory()
        self._factory = langdetect.detector_factory._factory

    def version(self) -> str:
        # not pinned: its version stays out of the records (the --out-dir manifest has it)
        return "langdetect"

    def detect(self, text: str) -> list[tuple[str, float]]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            langs = detector.get_probabilities()
        except LangDetectException:
            return []
        return [(_code(cand.lang), float(cand.prob)) for cand in langs]


def _code(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang

