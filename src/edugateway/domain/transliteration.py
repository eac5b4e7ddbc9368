"""Russian names in Latin letters, as passports write them, and a key that compares both scripts.

A pupil who came from abroad, or whose record a platform took from a foreign passport, is «Ivanov Aleksandr»
there and «Иванов Александр» at school. Russian passports transliterate by ICAO Doc 9303 (7th ed., part 3,
the table for Russian) since 2014 (Приказ МВД № 889 of 2014); ГОСТ Р 52535.1-2006 uses the same table but for
ц (tc) and ъ (dropped). Passports issued 1997–2010 (Приказ МВД № 310) wrote й, ю, я as y, yu, ya. No maintained
PyPI package does both directions for these passport tables (`transliterate` is unmaintained since 2018, `iuliia`
goes one way only), and the tables are 33 letters, so they live here.

`latin_key` is what a comparison of names uses: the ICAO form of a Cyrillic name, or the Latin name itself,
folded so that the passport schemes above give the same key (y → i, x → ks, tc → ts).
"""

from __future__ import annotations

import functools
import re

# ICAO Doc 9303, part 3, transliteration of Cyrillic characters (Russian).
ICAO_9303: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Приказ МВД № 310 (1997): the same but for й, ъ, ю, я.
MVD_310: dict[str, str] = ICAO_9303 | {"й": "y", "ъ": "", "ю": "yu", "я": "ya"}

_FOLDS = (("tc", "ts"), ("x", "ks"), ("y", "i"))
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def transliterate(text: str, table: dict[str, str] = ICAO_9303) -> str:
    """«Юлия Щербакова» -> «Iuliia Shcherbakova»: each Cyrillic letter by `table`, case kept on the first letter."""
    out: list[str] = []
    for ch in text:
        latin = table.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif ch.isupper():
            out.append(latin.capitalize() if len(latin) > 1 else latin.upper())
        else:
            out.append(latin)
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


@functools.lru_cache(maxsize=65536)
def latin_key(name: str) -> str:
    """One key for a name in either script: «Юлия», «Iuliia» and «Yuliya» all give «iuliia». Expects a name
    already normalised (lower case, one hyphen, single spaces)."""
    key = transliterate(name.lower())
    for spelt, folded in _FOLDS:
        key = key.replace(spelt, folded)
    return key
