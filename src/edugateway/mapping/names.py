"""Name normalisation and person matching: what makes «Алёна Иванова» and «АЛЕНА ИBAНОВА» the same person.

Records about one person differ in ways that mean nothing: ё written as е, case, doubled spaces, a hyphen
typed as a dash, Latin letters that look Cyrillic (a wrong keyboard layout). `normalize_name` removes those;
`match_score` then weighs what is left (names, birth date, class) into a score in [0, 1] for ranking
candidates. The thresholds that turn a score into a link or a clerk's case belong to the caller.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

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


@dataclass(frozen=True)
class PersonKey:
    """What two records about a person are compared on."""

    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: dt.date | None = None
    class_name: str | None = None


@dataclass(frozen=True)
class MatchScore:
    score: float  # 0..1
    reasons: tuple[str, ...]  # what agreed and what did not, for the clerk


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return 1.0 if a == b else SequenceMatcher(None, a, b).ratio()


def _dates(a: dt.date, b: dt.date) -> tuple[float, str]:
    if a == b:
        return 1.0, "same birth date"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return 0.7, "birth date with day and month swapped"
    if abs((a - b).days) <= 1 or (a.year == b.year and a.month == b.month):
        return 0.5, "birth date close"
    return 0.0, "different birth date"


WEIGHTS = {"last": 0.35, "first": 0.25, "middle": 0.1, "born": 0.25, "class": 0.05}


def match_score(local: PersonKey, remote: PersonKey) -> MatchScore:
    """Weighted agreement — last name 0.35, first name 0.25, middle name 0.1, birth date 0.25, class 0.05 — over
    the parts both records have: a platform that keeps no birth dates (ЕЦП) neither helps nor hurts a match."""
    reasons: list[str] = []
    parts: dict[str, float] = {}
    parts["last"] = _similar(normalize_name(local.last_name), normalize_name(remote.last_name))
    parts["first"] = _similar(normalize_name(local.first_name), normalize_name(remote.first_name))
    reasons.append("same last name" if parts["last"] == 1 else f"last name {parts['last']:.0%} alike")
    reasons.append("same first name" if parts["first"] == 1 else f"first name {parts['first']:.0%} alike")
    if local.middle_name and remote.middle_name:
        parts["middle"] = _similar(normalize_name(local.middle_name), normalize_name(remote.middle_name))
        reasons.append("same middle name" if parts["middle"] == 1 else f"middle name {parts['middle']:.0%} alike")
    if local.birth_date and remote.birth_date:
        parts["born"], why = _dates(local.birth_date, remote.birth_date)
        reasons.append(why)
    else:
        reasons.append("birth date unknown on one side")
    if local.class_name and remote.class_name:
        parts["class"] = 1.0 if normalize_name(local.class_name) == normalize_name(remote.class_name) else 0.0
        reasons.append("same class" if parts["class"] else "another class")
    weight = sum(WEIGHTS[k] for k in parts)
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) / weight
    return MatchScore(round(score, 4), tuple(reasons))
