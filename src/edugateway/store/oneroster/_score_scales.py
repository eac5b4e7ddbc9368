"""A OneRoster 1.2 score scale (scoreScales.csv) as the gradebook reader uses it: which of our marks a result's
score or textScore stands for.

`scoreScaleValue` is a list of `{itemValueLHS:itemValueRHS}` pairs: the left side is what a result holds (a
number, a range "85-100" or a word such as «отлично»), the right side the mark it means here (one of 1–5 with
+/-, Н/А, ОСВ, зачёт, незачёт, read by `parse_mark`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edugateway.domain.marks import parse_mark
from edugateway.store.oneroster._gradebook_spec import folded

_PAIR = re.compile(r"\{\s*([^:{}]*?)\s*:\s*([^{}]*?)\s*\}")
_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})\s*-\s*({_NUMBER})$")


def number(text: str) -> float | None:
    """A score as a number ("4,5" as Russian Excel writes it, too); None when it is not one."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Entry:
    shown: str  # the left side as written, for messages
    low: float | None  # a number or a range: the scores it covers
    high: float | None
    mark: str

    def covers(self, score: str) -> bool:
        value = number(score)
        if self.low is not None and self.high is not None and value is not None:
            return self.low <= value <= self.high
        return folded(score) == folded(self.shown)


@dataclass(frozen=True, slots=True)
class ScoreScale:
    id: str
    title: str
    entries: tuple[_Entry, ...]

    def mark(self, score: str, text_score: str) -> str | None:
        """Our mark for a result: its textScore looked up first (the words a teacher wrote), then its score."""
        for given in (text_score, score):
            if not given:
                continue
            for entry in self.entries:
                if entry.covers(given):
                    return entry.mark
        return None

    def describe(self) -> str:
        """«title» (its left sides), for a message saying a score is not on the scale."""
        return f"{self.id!r} «{self.title}» ({', '.join(e.shown for e in self.entries)})"


def parse_scale(sid: str, title: str, values: str) -> ScoreScale:
    """The scale a scoreScales.csv row gives, or ValueError saying which pair cannot be read."""
    pairs = _PAIR.findall(values)
    if not pairs or _PAIR.sub("", values).replace(",", "").strip():
        raise ValueError(
            f"scoreScaleValue {values!r} is not a list of {{score:mark}} pairs such as {{5:5}},{{отлично:5}}"
        )
    entries = []
    for left, right in pairs:
        if not left:
            raise ValueError(f"scoreScaleValue pair {{{left}:{right}}} has no score on its left side")
        try:
            mark = parse_mark(right)
        except ValueError as exc:
            raise ValueError(f"scoreScaleValue pair {{{left}:{right}}}: {exc}") from None
        span = _RANGE.match(left)
        single = number(left)
        if span:
            low, high = number(span.group(1)), number(span.group(2))
        else:
            low = high = single
        entries.append(_Entry(left, low, high, mark))
    return ScoreScale(sid, title, tuple(entries))
