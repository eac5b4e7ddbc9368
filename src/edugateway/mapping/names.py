"""Name normalisation: what makes «Алёна Иванова» and «АЛЕНА ИBAНОВА» the same name.

Records about one person differ in ways that mean nothing: ё written as е, case, doubled spaces, a hyphen
typed as a dash, Latin letters that look Cyrillic (a wrong keyboard layout). `normalize_name` removes those;
what is left is weighed by the gateway's one matcher, identity/linkage.py.
"""

from __future__ import annotations

import re
import unicodedata

# Latin letters that look like Cyrillic ones, and what they stand for in a Cyrillic name.
_LATIN_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
    }
)
_DASHES = re.compile(r"[\u2010-\u2015\u2212\-]+")
_SPACES = re.compile(r"\s+")
_CYRILLIC = re.compile(r"[а-яё]")


def normalize_name(value: str | None) -> str:
    """Lower case, ё→е, one plain hyphen, single spaces, Latin look-alikes as Cyrillic when the word is Cyrillic."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).lower()
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text).strip().replace(" - ", "-")
    words = [w.translate(_LATIN_LOOKALIKES) if _CYRILLIC.search(w) else w for w in text.split(" ")]
    return " ".join(words).replace("ё", "е")
