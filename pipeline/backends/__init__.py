"""Backends by task and name, imported lazily and loaded once per process.

A backend is registered as ``"module:attribute"`` so that choosing one imports only its own
module (and so its optional library). `get_backend` caches the loaded object per
``(task, name, options)``. To add a backend: write a module in this folder with a class that
follows the task's protocol (`pipeline.backends.base`), then add one line to `REGISTRY`
(or call `register` from your own code).
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeline.core.errors import UnknownBackend

REGISTRY: dict[str, dict[str, str]] = {
    "langid": {
        "lingua": "pipeline.backends.langid_lingua:LinguaLangId",
        "langdetect": "pipeline.backends.langid_langdetect:LangdetectLangId",
        "py3langid": "pipeline.backends.langid_py3langid:Py3LangId",
    },
    "ner": {
        "transformer": "pipeline.backends.ner_transformer:TransformerNer",
        "spacy": "pipeline.backends.ner_spacy:SpacyNer",
        "gazetteer": "pipeline.backends.ner_gazetteer:GazetteerNer",
        "hf": "pipeline.backends.ner_hf:HfNer",
        "stanza": "pipeline.backends.ner_stanza:StanzaNer",
        "translate": "pipeline.backends.ner_translate:TranslateNer",
    },
    # machine translation for the translation path (`lintas run --translate`)
    "mt": {
        "hf": "pipeline.backends.mt_hf:HfTranslator",
        "ct2": "pipeline.backends.mt_ct2:Ct2Translator",
        # NTREX-128's human English for its own sentences: measuring the path (not for runs)
        "ntrex": "pipeline.backends.mt_ntrex:NtrexTranslator",
    },
}

_LOADED: dict[tuple[str, str, tuple[tuple[str, Any], ...]], Any] = {}


def register(task: str, name: str, target: str) -> None:
    """Register ``target`` (``"module:attribute"``) as backend ``name`` for ``task``."""
    REGISTRY.setdefault(task, {})[name] = target


def available(task: str) -> list[str]:
    """Names registered for ``task``."""
    return sorted(REGISTRY.get(task, {}))


def get_backend(task: str, name: str, **options: Any) -> Any:
    """The backend ``name`` for ``task``, loaded on first use and cached in this process."""
    known = REGISTRY.get(task, {})
    if name not in known:
        raise UnknownBackend(task, name, list(known))
    key = (task, name, tuple(sorted(options.items())))
    if key not in _LOADED:
        module_name, attr = known[name].split(":")
        cls = getattr(importlib.import_module(module_name), attr)
        _LOADED[key] = cls(**options)
    return _LOADED[key]
