"""MT backend ``ntrex``: NTREX-128's human English for NTREX's own sentences (measurement).

The translation path (`lintas run --translate`) needs a translation model, and none can be
had here (../shared/MODELS.md). To measure what the path itself does (English extraction,
then the mapping back), this backend "translates" a sentence of NTREX-128's Indonesian or
Bulgarian references (newstest2019, CC BY-SA 4.0) by the English line it translates: a
perfect translator for those sentences and no other. A sentence that is not a whole line
of the file (the segmenter split the line) gets no English. `lintas evaluate events|claims
--translate L --mt ntrex` uses it on the corpus' NTREX documents.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import BackendSetupError
from pipeline.lexicon.lexicons import data_dir

FILES = {"en": "newstest2019-src.eng.txt", "id": "newstest2019-ref.ind.txt",
         "bg": "newstest2019-ref.bul.txt"}


def default_folder() -> Path:
    """``mt/ntrex`` of the shared data folder (`pipeline.lexicon.lexicons.data_dir`)."""
    return data_dir() / "mt" / "ntrex"


class NtrexTranslator:
    """The ``mt`` backend ``ntrex`` (see the module); ``model``: the NTREX folder."""

    name = "ntrex"

    def __init__(self, model: str | None = None, batch_size: int = 16) -> None:
        folder = Path(model) if model else default_folder()
        if not (folder / FILES["en"]).is_file():
            raise BackendSetupError(f"no NTREX-128 English in {folder} ({FILES['en']})")
        eng = (folder / FILES["en"]).read_text(encoding="utf-8").splitlines()
        self.tables: dict[str, dict[str, str]] = {}
        for lang, name in FILES.items():
            if lang != "en" and (folder / name).is_file():
                lines = (folder / name).read_text(encoding="utf-8").splitlines()
                self.tables[lang] = {s.strip(): e.strip() for s, e in zip(lines, eng)
                                     if s.strip()}

    def version(self) -> str:
        return "NTREX-128 human references (newstest2019)"

    def supports(self, src: str, tgt: str = "en") -> bool:
        return tgt == "en" and src in self.tables

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        table = self.tables.get(src, {})
        return [table.get(s.strip(), "") for s in sentences]
