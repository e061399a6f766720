"""Time expressions in a sentence and their ISO dates, against the article's date.

Expressions are found with patterns built from ``models/lexicons/LANG/time.tsv`` (month,
weekday and relative-day words, editable by hand): "Kamis (13/06)", "13 Juni 2024",
"Rabu, 27 November", "June 13, 2024", "13.06.2024", "kemarin", "вчера", "Juni 2024",
"2030". Each gets a ``value``: an ISO date (``2024-06-13``), a month (``2024-06``) or a
year (``2030``), or None when it cannot be pinned down (a day and month without a year in
an undated article).

A day and month without a year take the year that puts the date nearest the article's
date; when the text also names the weekday, years where the date falls on that weekday
win (news writes "Rabu, 27 November" for the coming or the past week). A weekday alone is
the last such day up to the article's date, or the next one when the sentence is about
the future. The article's date itself (the ``published`` field, in any format) is parsed
with dateparser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from pipeline.lexicon.lexicons import lexicon_path, read_tsv


@dataclass(frozen=True)
class TimeExpression:
    """A time expression found in the text, with its normalized value."""

    start: int
    end: int
    text: str
    value: str | None


@dataclass(frozen=True)
class _Words:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    pattern: re.Pattern[str]
    periods: dict[str, tuple[str, int]] = field(default_factory=dict)


def _alt(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=32)
def time_words(lang: str) -> _Words | None:
    """The time words of ``lang`` and the pattern built from them (None: no lexicon)."""
    path = lexicon_path(lang, "time.tsv")
    if not path.exists():
        return None
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    relative: dict[str, int] = {}
    periods: dict[str, tuple[str, int]] = {}  # "pekan depan" -> ("week", 1)
    for row in read_tsv(path):
        if len(row) < 3:
            continue
        kind, value, forms = row[0].strip(), int(row[1]), row[2]
        if kind in ("relative_week", "relative_month", "relative_year"):
            for form in forms.split("|"):
                if form.strip():
                    periods[form.strip().lower()] = (kind.split("_")[1], value)
            continue
        target = {"month": months, "weekday": weekdays, "relative": relative}.get(kind)
        if target is None:
            continue
        for form in forms.split("|"):
            if form.strip():
                target[form.strip().lower()] = value
    mon, wd, rel = _alt(list(months)), _alt(list(weekdays)), _alt(list(relative))
    day = r"(?P<{}>[0-3]?\d)"
    year = r"(?P<{}>(?:19|20)\d\d)"
    # Alternatives are tried in order: longest, most specific forms first.
    parts = [
        # weekday, then optionally a date: "Kamis (13/06)", "Rabu, 27 November 2024"
        rf"(?P<wd>{wd})(?:,?\s*\(?\s*(?:{day.format('wd_d')}\s*/\s*(?P<wd_m>[01]?\d)"
        rf"(?:\s*/\s*{year.format('wd_y')})?|{day.format('wd_d2')}\s+(?P<wd_mon>{mon})"
        rf"(?:\s+{year.format('wd_y2')})?)\s*\)?)?",
        # 13/06, 13/06/2024, 13.06.2024 (dots only with a year: "10.15" is a clock time)
        rf"{day.format('n_d')}/(?P<n_m>[01]?\d)(?:/{year.format('n_y')})?(?![\d/])",
        rf"{day.format('p_d')}\.(?P<p_m>[01]?\d)\.{year.format('p_y')}",
        # 13 Juni 2024, 13 юни 2024 г.
        rf"{day.format('dm_d')}\s+(?P<dm_mon>{mon})(?:\s+{year.format('dm_y')})?",
        # June 13, 2024
        rf"(?P<md_mon>{mon})\s+{day.format('md_d')}(?:,?\s+{year.format('md_y')})?",
        # Juni 2024
        rf"(?P<my_mon>{mon})\s+{year.format('my_y')}",
        rf"(?P<rel>{rel})",
        rf"{year.format('y')}",
    ]
    if periods:
        parts.insert(-2, rf"(?P<per>{_alt(list(periods))})")
    pattern = re.compile(r"(?<![\w/.])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)
    return _Words(months, weekdays, relative, pattern, periods)


def parse_published(value: str | None) -> date | None:
    """The article's date from a ``published`` field (ISO or free text), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)", text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    import dateparser

    parsed = dateparser.parse(text, settings={"DATE_ORDER": "DMY",
                                              "PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def resolve_day_month(day: int, month: int, year: int | None, weekday: int | None,
                      base: date | None) -> str | None:
    """ISO date of a day and month; the year from the text, else chosen against ``base``."""
    if year is not None:
        found = _valid(year, month, day)
        return found.isoformat() if found else None
    if base is None:
        return None
    candidates = [d for y in (base.year - 1, base.year, base.year + 1)
                  if (d := _valid(y, month, day)) is not None]
    if not candidates:
        return None
    if weekday is not None:
        matching = [d for d in candidates if d.isoweekday() == weekday]
        candidates = matching or candidates
    return min(candidates, key=lambda d: (abs((d - base).days), d)).isoformat()


def resolve_weekday(weekday: int, base: date | None, future: bool = False) -> str | None:
    """The last ``weekday`` up to ``base`` (or the next one after it when ``future``)."""
    if base is None:
        return None
    if future:
        ahead = (weekday - base.isoweekday()) % 7 or 7
        return (base + timedelta(days=ahead)).isoformat()
    back = (base.isoweekday() - weekday) % 7
    return (base - timedelta(days=back)).isoformat()


def resolve_period(unit: str, n: int, published: date) -> str:
    """The week (ISO "2025-W21"), month ("2025-06") or year ("2026") ``n`` units from the
    article's date: "pekan depan", "следващия месец", "last year"."""
    if unit == "week":
        year, week, _ = (published + timedelta(weeks=n)).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if unit == "month":
        k = published.year * 12 + published.month - 1 + n
        return f"{k // 12:04d}-{k % 12 + 1:02d}"
    return f"{published.year + n:04d}"


def find_times(text: str, start: int, end: int, lang: str, published: date | None,
               future: bool = False) -> list[TimeExpression]:
    """Time expressions in ``text[start:end]`` with their values (offsets into ``text``)."""
    words = time_words(lang) or time_words("en")
    if words is None:
        return []
    out = []
    for m in words.pattern.finditer(text, start, end):
        g = m.groupdict()
        value: str | None = None
        if g.get("wd"):
            wd = words.weekdays[g["wd"].lower()]
            if g.get("wd_d"):
                value = resolve_day_month(int(g["wd_d"]), int(g["wd_m"]),
                                          int(g["wd_y"]) if g.get("wd_y") else None, wd, published)
            elif g.get("wd_d2"):
                value = resolve_day_month(int(g["wd_d2"]), words.months[g["wd_mon"].lower()],
                                          int(g["wd_y2"]) if g.get("wd_y2") else None, wd,
                                          published)
            else:
                value = resolve_weekday(wd, published, future)
        elif g.get("n_d"):
            value = resolve_day_month(int(g["n_d"]), int(g["n_m"]),
                                      int(g["n_y"]) if g.get("n_y") else None, None, published)
        elif g.get("p_d"):
            value = resolve_day_month(int(g["p_d"]), int(g["p_m"]), int(g["p_y"]), None, None)
        elif g.get("dm_d"):
            value = resolve_day_month(int(g["dm_d"]), words.months[g["dm_mon"].lower()],
                                      int(g["dm_y"]) if g.get("dm_y") else None, None, published)
        elif g.get("md_d"):
            value = resolve_day_month(int(g["md_d"]), words.months[g["md_mon"].lower()],
                                      int(g["md_y"]) if g.get("md_y") else None, None, published)
        elif g.get("my_mon"):
            value = f"{int(g['my_y']):04d}-{words.months[g['my_mon'].lower()]:02d}"
        elif g.get("rel"):
            if published is not None:
                value = (published + timedelta(days=words.relative[g["rel"].lower()])).isoformat()
        elif g.get("per"):
            if published is not None:
                value = resolve_period(*words.periods[g["per"].lower()], published)
        elif g.get("y"):
            value = g["y"]
        out.append(TimeExpression(m.start(), m.end(), m.group(), value))
    return out
