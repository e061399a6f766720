"""Finding a Hugging Face model the user already has, for the `hf` backends (NER and
machine translation): a folder, or a name in the local cache. Nothing is looked up online."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import MissingDependency


def locate(model: str) -> str:
    """The folder ``model`` names, or ``model`` itself when it is a model in the Hugging
    Face cache; a `MissingDependency` when neither (nothing is looked up online)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise MissingDependency(f"a Hugging Face model in {str(path)!r} (no config.json)",
                                    "pass the folder that save_pretrained() wrote")
        return str(path)
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(model, "config.json")
    except ValueError:  # not a valid repository name (a path that does not exist)
        cached = None
    if not isinstance(cached, str):
        raise MissingDependency(
            f"the Hugging Face model {model!r} (not a folder, not in the local cache)",
            f"pass the folder that holds it, or download it yourself once "
            f"(`hf download {model}`); lintas never downloads models")
    return model
