"""Latin letters that look Cyrillic («Андреeв» with a Latin «e»): a name typed with one is a different name to
every platform and to ЕСИА, yet no one can see it. Within a word that has Cyrillic letters, its Latin letters
are marked (<mark> on the page, a «латинские буквы: e» note in the workbook)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_MIXED_WORD = re.compile(r"\w*(?:[а-яё][a-z]|[a-z][а-яё])\w*", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]+", re.IGNORECASE)
_MARK = '<mark class="latin" title="латинская буква">{}</mark>'


def latin_in_cyrillic(text: str) -> str:
    """The Latin letters found inside Cyrillic words, each once, in order: «e», «a, o»; "" when none."""
    seen: list[str] = []
    for word in _MIXED_WORD.findall(text):
        seen.extend(c for c in word if c.isascii() and c.isalpha() and c not in seen)
    return ", ".join(seen)


def marked(text: str) -> Markup | None:
    """The text escaped, its Latin letters inside Cyrillic words in <mark>; None when there are none (most cells:
    the page then keeps the plain string)."""
    if not _MIXED_WORD.search(text):
        return None
    out: list[str] = []
    last = 0
    for word in _MIXED_WORD.finditer(text):
        out.append(str(escape(text[last : word.start()])))
        out.append(_LATIN.sub(lambda m: _MARK.format(m.group(0)), word.group(0)))
        last = word.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 -- every piece escaped above; the marks are ours
