"""Language ID with lingua (lingua-language-detector), restricted to a set of languages."""

from __future__ import annotations

from pipeline.core.errors import MissingDependency

# The languages lintas tells apart by default: its focus languages and their close
# neighbours (Malay next to Indonesian; Russian, Macedonian, Serbian, Ukrainian next to
# Bulgarian), plus major languages of the news it reads. Each one costs memory and time
# (all 75 preloaded: about 1.3 GB; this set: see the README's language-ID table).
DEFAULT_LANGUAGES = (
    "id", "ms", "bg", "ru", "mk", "sr", "uk", "kk", "en", "de", "fr", "es", "pt", "it",
    "nl", "tr", "ar", "zh", "ja", "ko", "vi", "tl", "pl",
)


class LinguaLangId:
    """lingua backend: n-gram models over the chosen languages; deterministic."""

    name = "lingua"

    def __init__(self, languages: tuple[str, ...] = DEFAULT_LANGUAGES,
                 low_accuracy: bool = False) -> None:
        try:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
        except ImportError as exc:
            raise MissingDependency("lingua-language-detector (the lingua backend)",
                                    'pip install "lintas[lingua]"') from exc
        langs = []
        for code in languages:
            iso = getattr(IsoCode639_1, code.upper(), None)
            if iso is None:
                raise ValueError(f"lingua does not know the language {code!r}")
            langs.append(Language.from_iso_code_639_1(iso))
        builder = LanguageDetectorBuilder.from_languages(*langs)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        # Models load lazily, per language, the first time a text needs them: Cyrillic text
        # never loads the Latin-script models.
        self._detector = builder.build()

    def version(self) -> str:
        # not pinned: its version stays out of the records (the --out-dir manifest has it)
        return "lingua"

    def detect(self, text: str) -> list[tuple[str, float]]:
        values = self._detector.compute_language_confidence_values(text)
        return [(v.language.iso_code_639_1.name.lower(), float(v.value))
                for v in values if v.value > 0.0]
