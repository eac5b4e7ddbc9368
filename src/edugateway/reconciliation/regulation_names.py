"""The regulations a rule cites, in words a director knows: «Регламенты 000 §3.3.2, 004 §4.2.4» reads
«Положение об электронном журнале (ЕЦП), п. 3.3.2; Инструкция по ведению ЭЖ (Аверс), п. 4.2.4».

The rules (compliance.py) keep their short citations, which the code, the tests and DOMAIN.md share; they are
rewritten only where a person reads them. The numbers are /work/shared/seeds' documents: 000 the ЕЦП school's
order with its «Положение об электронном журнале», 001 Дневник.ру's «Регламент ведения электронного журнала»,
003 the district's order for ИСУОД «Школьный портал», 004 the gymnasium's «Инструкция по ведению учёта … с
помощью ЭЖ» (АИС «Аверс»)."""

from __future__ import annotations

import re

DOCUMENTS = {
    "000": "Положение об электронном журнале (ЕЦП)",
    "001": "Регламент ведения электронного журнала (Дневник.ру)",
    "002": "Положение об электронном журнале школы",
    "003": "Приказ управления образования об электронном журнале (ИСУОД)",
    "004": "Инструкция по ведению электронного журнала (Аверс)",
}
# «Регламенты 000 §», «регламент 003, приказ §», «003 §»: the document's number, then its first clause.
_CITED = re.compile(r"(?:[Рр]егламент(?:ы|а)?\s+)?\b(00[0-4])\b(?:,?\s*приказ)?\s*§\s*")
_CITED_BARE = re.compile(r"(?:[Рр]егламент(?:ы|а)?\s+)?\b(00[0-4])\b(?=,\s*приказ)")
_ORDER = re.compile(r"\bприказ\s*§\s*")
_MORE = re.compile(r"§\s*")  # a further clause of the same document: «000 §3.3.2, §3.3.9»
_NEXT_DOCUMENT = re.compile(r",\s+(?=" + "|".join(re.escape(name) for name in DOCUMENTS.values()) + ")")


def in_director_words(text: str) -> str:
    """Every «NNN §x.y» citation as the document's name and «п. x.y»; other text as it is."""
    named = _CITED.sub(lambda m: f"{DOCUMENTS[m.group(1)]}, п. ", text)
    named = _CITED_BARE.sub(lambda m: DOCUMENTS[m.group(1)], named)
    named = _ORDER.sub("приказ, п. ", named)
    named = _MORE.sub("п. ", named)
    return _NEXT_DOCUMENT.sub("; ", named)  # «п. 3.3.2; Инструкция …, п. 4.2.4»: documents apart, clauses together
