"""Errors with codes that say what to do, in the manner of spaCy's E-codes."""

from __future__ import annotations


class LintasError(Exception):
    """Base class of lintas errors; `code` is stable and greppable (e.g. ``L001``)."""

    code = "L000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")


class MissingDependency(LintasError):
    """An optional library or model is not installed; the message names the fix."""

    code = "L001"

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} is not installed. Fix: {fix}")


class UnknownBackend(LintasError):
    """A backend name that is not in the registry."""

    code = "L002"

    def __init__(self, task: str, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown {task} backend {name!r}; known: {', '.join(sorted(known))}"
        )


class PipelineConfigError(LintasError):
    """Stages in an order that does not provide what a later stage requires."""

    code = "L003"


class BackendSetupError(LintasError):
    """A backend cannot serve the run as configured (e.g. `--translate` asks for a language
    the translation model does not read); stops the run before any input is read."""

    code = "L042"


class InputError(LintasError):
    """One input could not be read; becomes an `error` record, never stops the run."""

    code = "L004"


class FolderError(LintasError):
    """An --out-dir folder that cannot be used: made by another command, not a lintas
    output folder, or not complete where a complete run is needed."""

    code = "L030"
