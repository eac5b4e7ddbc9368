"""The OneRoster 1.2 gradebook CSV files as edugateway reads them: columns in the spec's order, the ones a row
cannot do without, and the words of a category title that make its line items works or finals.

Source of the column lists: 1EdTech OneRoster v1.2 CSV Tables (https://www.imsglobal.org/spec/oneroster/v1p2/bind/csv),
tables for categories.csv, lineItems.csv, lineItemScoreScales.csv, results.csv, resultScoreScales.csv and
scoreScales.csv; cross-checked against a public OneRoster 1.2 CSV validator's row schemas (zod), which list the
same columns in the same order. In 1.2 a line item's session is `academicSessionSourcedId` (1.1 called it
`gradingPeriodSourcedId`, read too) and its scale is linked through lineItemScoreScales.csv, not a column.
"""

from __future__ import annotations

_COMMON = ("sourcedId", "status", "dateLastModified")

GRADEBOOK_FILES = ("categories", "scoreScales", "lineItems", "lineItemScoreScales", "results", "resultScoreScales")
# Roster files of the same set read only for what a line item's class and session are; never imported here.
CONTEXT_FILES = ("classes", "academicSessions")

COLUMNS: dict[str, tuple[str, ...]] = {
    "categories": (*_COMMON, "title", "weight"),
    "scoreScales": (
        *_COMMON,
        "title",
        "type",
        "orgSourcedId",
        "courseSourcedId",
        "classSourcedId",
        "scoreScaleValue",
    ),
    "lineItems": (
        *_COMMON,
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "resultValueMin",
        "resultValueMax",
        "schoolSourcedId",
    ),
    "lineItemScoreScales": (*_COMMON, "title", "lineItemSourcedId", "scoreScaleSourcedId"),
    "results": (
        *_COMMON,
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
        "scoreDate",
        "comment",
        "textScore",
        "classSourcedId",
        "inProgress",
        "incomplete",
        "late",
        "missing",
    ),
    "resultScoreScales": (*_COMMON, "title", "resultSourcedId", "scoreScaleSourcedId"),
}
# OneRoster 1.1 names some producers still write in a 1.2 set.
TOLERATED: dict[str, tuple[str, ...]] = {"lineItems": ("gradingPeriodSourcedId",)}

REQUIRED: dict[str, tuple[str, ...]] = {
    "categories": ("sourcedId", "title"),
    "scoreScales": ("sourcedId", "title", "scoreScaleValue"),
    "lineItems": ("sourcedId", "classSourcedId", "categorySourcedId"),
    "lineItemScoreScales": ("lineItemSourcedId", "scoreScaleSourcedId"),
    "results": ("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus"),
    "resultScoreScales": ("resultSourcedId", "scoreScaleSourcedId"),
    # Only what the gradebook needs of the roster files; their other columns are the roster reader's business.
    "classes": ("sourcedId", "courseSourcedId", "classType"),
    "academicSessions": ("sourcedId", "type"),
}

# scoreStatus (1.2 vocabulary). Only these two make a mark; the others are work not graded yet.
GRADED = "fully graded"
EXEMPT = "exempt"  # освобождён: the mark is ОСВ whatever score the row holds
NOT_YET_GRADED = ("submitted", "partially graded", "not submitted")
EXEMPT_MARK = "ОСВ"

# Category titles, lower-cased with ё read as е. A final's category names its period; a work's names the kind
# of written or control work (the journal's «вид работы»). Anything else is a mark for the lesson.
YEAR_FINAL_WORDS = ("годов", "итогов", "year final")
PERIOD_FINAL_WORDS = ("четверт", "полугод", "триместр", "семестр", "final")
WORK_WORDS = (
    "контрольн",
    "проверочн",
    "самостоятельн",
    "письменн",
    "диктант",
    "сочинени",
    "изложени",
    "лабораторн",
    "практическ",
    "тест",
)


def folded(text: str) -> str:
    return text.strip().lower().replace("ё", "е")
