"""Language-ID benchmark: accuracy on close neighbours and speed, per backend.

Sentences: Indonesian, Bulgarian and English from NTREX-128 and Tatoeba (read from the shared
data folder, not shipped: ``$LINTAS_DATA`` or ``../shared/data`` beside the repository), and
Malay, Russian, Macedonian and Serbian news sentences written by the lintas developers
(``pipeline/benchmarks/data``). Each backend runs in its own process so that its load time
and peak memory are its own. Run it with ``lintas benchmark langid``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from pipeline.lexicon.lexicons import data_dir

HERE = Path(__file__).resolve().parent
LANGS = ("id", "ms", "bg", "ru", "mk", "sr", "en")
PER_SOURCE = 300


def _head(path: Path, n: int) -> list[str]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        lines = [line.strip() for line in fh if line.strip()]
    return lines[:n]


def load_sentences() -> dict[str, list[str]]:
    """Benchmark sentences per language (languages whose data is missing are left out)."""
    d = data_dir()
    mt = d / "mt"
    out = {
        "id": _head(mt / "ntrex" / "newstest2019-ref.ind.txt", PER_SOURCE)
        + _head(mt / "tatoeba" / "tatoeba.ind-eng.ind", PER_SOURCE),
        "bg": _head(mt / "ntrex" / "newstest2019-ref.bul.txt", PER_SOURCE)
        + _head(mt / "tatoeba" / "tatoeba.bul-eng.bul", PER_SOURCE),
        "en": _head(mt / "ntrex" / "newstest2019-src.eng.txt", PER_SOURCE),
    }
    for lang in ("ms", "ru", "mk", "sr"):
        out[lang] = _head(HERE / "data" / f"{lang}.txt", 10_000)
    return {k: v for k, v in out.items() if v}


def measure(backend_name: str) -> dict[str, object]:
    """Accuracy per language, the `und` share, sentences/s, load time and peak memory."""
    from pipeline.backends import get_backend
    from pipeline.stages.langid import identify

    started = time.perf_counter()
    backend = get_backend("langid", backend_name)
    backend.detect("warm up: load the models now")
    load = time.perf_counter() - started
    sentences = load_sentences()
    result: dict[str, object] = {"backend": backend.version(), "load_s": round(load, 2)}
    total, seconds = 0, 0.0
    for lang, sents in sentences.items():
        right = und = 0
        t0 = time.perf_counter()
        for s in sents:
            ranked = backend.detect(s)
            if ranked and max(ranked, key=lambda kv: kv[1])[0] == lang:
                right += 1
        seconds += time.perf_counter() - t0
        total += len(sents)
        for s in sents:  # the stage's verdict: may say `und` instead of guessing
            code, _ = identify(s, backend_name)
            und += code == "und"
        # Paragraphs of three sentences through the stage, as documents are judged.
        paras = [" ".join(sents[i:i + 3]) for i in range(0, len(sents) - 2, 3)]
        para_right = sum(identify(p, backend_name)[0] == lang for p in paras)
        result[lang] = {"n": len(sents), "acc": round(right / len(sents), 3),
                        "und": round(und / len(sents), 3),
                        "para_n": len(paras), "para_acc": round(para_right / len(paras), 3)}
    result["sent_per_s"] = round(total / seconds) if seconds else 0
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def table(results: list[dict[str, object]], paragraphs: bool = False) -> str:
    """A Markdown table of ``results`` (sentences, or three-sentence paragraphs)."""
    langs = [lang for lang in LANGS if any(lang in r for r in results)]
    n_key = "para_n" if paragraphs else "n"
    head = ["backend", *[f"{lang} (n={next(r[lang][n_key] for r in results if lang in r)})"
                         for lang in langs]]
    if not paragraphs:
        head += ["sentences/s", "load s", "peak MB"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [str(r["backend"])]
        for lang in langs:
            v = r.get(lang)
            if not v:
                cells.append("-")
            elif paragraphs:
                cells.append(f"{v['para_acc']:.3f}")
            else:
                cells.append(f"{v['acc']:.3f} (und {v['und']:.2f})")
        if not paragraphs:
            cells += [str(r["sent_per_s"]), str(r["load_s"]), str(r["peak_mb"])]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(backends: list[str] | None = None) -> None:
    """Measure each backend in a fresh process and print the table."""
    from pipeline.backends import available

    results = []
    for name in backends or available("langid"):
        proc = subprocess.run([sys.executable, "-m", "pipeline.benchmarks.langid", name],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{name}: failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        results.append(json.loads(proc.stdout))
    print("Sentences: share whose top language is right (backend alone); und = share that "
          "the langid stage reports as undetermined (too short or unsure).")
    print(table(results))
    print()
    print("Paragraphs of three sentences through the langid stage (und counts as wrong):")
    print(table(results, paragraphs=True))


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
