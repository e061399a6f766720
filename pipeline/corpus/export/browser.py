"""A headless Chromium, to render a report as a user's browser would (tests, benchmark).

Uses the Debian package's ``chromium`` binary (``apt-get install chromium``) with its own
command-line modes: ``--dump-dom`` gives the page's DOM after its scripts ran, ``--screenshot``
a PNG. No driver library is needed. `find_chromium` returns None where there is none.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """The path of a Chromium binary on PATH, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(binary: str, page: Path, *args: str, timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="lintas-chromium-") as profile:
        done = subprocess.run(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", "--virtual-time-budget=20000", *args,
             page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(binary: str, page: Path, timeout: float = 120) -> str:
    """The DOM of ``page`` after its scripts ran, as HTML."""
    return _run(binary, page, "--dump-dom", timeout=timeout)


def screenshot(binary: str, page: Path, out: Path, width: int = 1280, height: int = 2000) -> None:
    """A PNG of the top ``width`` x ``height`` pixels of ``page``."""
    _run(binary, page, "--hide-scrollbars", f"--window-size={width},{height}",
         f"--screenshot={out.resolve()}")
