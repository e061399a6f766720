"""Bytes to text: UTF-8 first, a clearly identified other encoding second, else an error."""

from __future__ import annotations

import codecs
import re

from pipeline.core.errors import InputError

# Share of control characters (other than tab / newline / carriage return / form feed) above
# which a byte string is treated as binary rather than text in an unusual encoding.
_MAX_CONTROL_SHARE = 0.02
# charset-normalizer's "chaos" (mess) ratio above which a guess is not trusted.
_MAX_CHAOS = 0.1


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # below 32, not \t \n \f \r


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode ``data`` to text.

    Returns ``(text, note)`` where ``note`` names the encoding when it was not UTF-8.
    Raises `InputError` for empty, binary or undecodable input. A leading byte-order mark
    is dropped: offsets count characters of the text that follows it.
    """
    if not data.strip():
        raise InputError("empty input: no text to process")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"byte-order mark says {enc} but the bytes are not: {exc}")
            return text, (None if enc == "utf-8-sig" else enc)
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        if "\x00" in utf8 or _control_share(utf8) > _MAX_CONTROL_SHARE:
            raise InputError("binary data, not text (control characters / NUL bytes)")
        return utf8, None
    if b"\x00" in data:
        raise InputError("binary data, not text (NUL bytes, no byte-order mark)")
    return _decode_other(data, utf8_error)


def _decode_other(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise InputError(
            f"not UTF-8 text ({utf8_error.reason} at byte {utf8_error.start}) and no other "
            "encoding fits clearly; convert it to UTF-8 first"
        )
    text = str(best)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError("binary data, not text (control characters)")
    return text, best.encoding
