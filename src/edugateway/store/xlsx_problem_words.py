"""The XLSX template's row problems in the clerk's words.

`xlsx_roster` writes each problem in English (import_runs keeps it so; tests and scripts read it). The clerk
who filled the template reads the problem list in Russian: each phrase the reader writes is translated here,
piece by piece, so a reason made of several phrases ("column «Имя»: …; column «Пол»: …") is translated
whole. A phrase not known here is left as it is rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SIGNS = {"a tab": "табуляции", "a carriage return": "перевода строки"}
_WHO = {"parent": "родитель", "child": "ребёнок", "person": "человек", "class": "класс"}
_AMONG = {"parent": "людей", "child": "людей", "person": "людей", "class": "классов"}
_ROLE = {"student": "ученик", "teacher": "учитель"}
_SNILS = [
    (re.compile(r"СНИЛС may hold only digits, spaces and hyphens; found ('[^']*'|\"[^\"]*\")"),
     lambda m: f"в СНИЛС могут быть только цифры, пробелы и дефисы; найдено {m[1]}"),
    (re.compile(r"СНИЛС has 11 digits; this value has (\d+)"), lambda m: f"в СНИЛС 11 цифр, а здесь {m[1]}"),
    (re.compile(r"control number is (\d+), but the first nine digits give (\d+)[^;]*"),
     lambda m: f"контрольное число {m[1]}, а по первым девяти цифрам должно быть {m[2]}"),
    (re.compile(r"СНИЛС is empty"), lambda m: "СНИЛС не заполнен"),
]  # fmt: skip
_PHRASES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"sheet «([^»]+)» is not part of the template \(([^)]*)\); it was ignored"),
     lambda m: f"лист «{m[1]}» не из шаблона ({m[2]}): пропущен"),
    (re.compile(r"«([^»]+)» is not a field of the school sheet; ignored"),
     lambda m: f"«{m[1]}» — не поле листа «Школа»: пропущено"),
    (re.compile(r"; the school was not updated"), lambda m: "; сведения о школе не обновлены"),
    (re.compile(r"«([^»]+)» is empty"), lambda m: f"«{m[1]}» не заполнено"),
    (re.compile(r"the header row lacks the column\(s\) (.+?); nothing on this sheet was imported\. "
                r"Copy the header row from a fresh template"),
     lambda m: f"в строке заголовков нет столбцов {m[1]}: с этого листа ничего не загружено. "
               "Скопируйте строку заголовков из нового шаблона"),
    (re.compile(r"column\(s\) (.+?) are not template columns; ignored"),
     lambda m: f"столбцы {m[1]} не из шаблона: пропущены"),
    (re.compile(r"sheet «([^»]+)» has no rows; the stored records of this kind were left as they are"),
     lambda m: f"на листе «{m[1]}» нет строк: сохранённые записи этого вида не изменены"),
    (re.compile(r"column\(s\) (.+?) are empty; fill them"), lambda m: f"не заполнены столбцы {m[1]}"),
    (re.compile(r"(column «[^»]+»|«[^»]+») begins with (a tab|a carriage return|\"[^\"]\"), which a spreadsheet "
                r"runs as a formula; write it without that sign"),
     lambda m: f"{m[1]} начинается с {_SIGNS.get(m[2], m[2])}: таблица выполнит это как формулу; "
               "уберите этот знак"),
    (re.compile(r"('[^']*'|\"[^\"]*\") is not a date; write it as (\S+)"),
     lambda m: f"{m[1]} — не дата; пишите как {m[2]}"),
    (re.compile(r"('[^']*'|\"[^\"]*\") is not a whole number"), lambda m: f"{m[1]} — не целое число"),
    (re.compile(r"ID ('[^']*'|\"[^\"]*\") already appears in row (\d+); the first row was used"),
     lambda m: f"ID {m[1]} уже есть в строке {m[2]}: взята первая строка"),
    (re.compile(r"('[^']*'|\"[^\"]*\") is not one of (.+?)(?=;|$)"), lambda m: f"{m[1]} — не одно из: {m[2]}"),
    (re.compile(r"('[^']*'|\"[^\"]*\") is not М or Ж"), lambda m: f"{m[1]} — не «М» и не «Ж»"),
    (re.compile(r"('[^']*'|\"[^\"]*\") is not ученик or учитель"),
     lambda m: f"{m[1]} — не «ученик» и не «учитель»"),
    (re.compile(r"person ('[^']*'|\"[^\"]*\"), column «СНИЛС»: (.+?); imported without СНИЛС, the value is kept "
                r"for the records clerk"),
     lambda m: f"человек {m[1]}, столбец «СНИЛС»: {m[2]}; загружен без СНИЛС, введённое значение сохранено "
               "для делопроизводителя"),
    (re.compile(r"person ('[^']*'|\"[^\"]*\"): СНИЛС ([^;]+?) already belongs to person ('[^']*'|\"[^\"]*\") of this "
                r"school; imported without СНИЛС, the value is kept for the records clerk to resolve"),
     lambda m: f"человек {m[1]}: СНИЛС {m[2]} уже записан у человека {m[3]} этой школы; загружен без СНИЛС, "
               "введённое значение сохранено, чтобы делопроизводитель разобрался"),
    (re.compile(r"class ('[^']*'|\"[^\"]*\"): parent class ('[^']*'|\"[^\"]*\") is unknown: it is neither in this "
                r"import nor an active class of school (\S+)"),
     lambda m: f"класс {m[1]}: класс {m[2]}, который он делит, не найден ни в этом файле, ни среди действующих "
               f"классов школы {m[3]}"),
    (re.compile(r"class ('[^']*'|\"[^\"]*\"): subject ('[^']*'|\"[^\"]*\") is unknown: it is neither in this "
                r"import nor an active subject of school (\S+)"),
     lambda m: f"класс {m[1]}: предмет {m[2]} не найден ни в этом файле, ни среди действующих предметов школы {m[3]}"),
    (re.compile(r"\b(parent|child|person|class) ('[^']*'|\"[^\"]*\") is unknown: not an active (?:person|class) in "
                r"this import or of school (\S+)"),
     lambda m: f"{_WHO[m[1]]} {m[2]} не найден среди действующих {_AMONG[m[1]]} этого файла или школы {m[3]}"),
    (re.compile(r"person ('[^']*'|\"[^\"]*\") already has an active (\w+) enrollment ('[^']*'|\"[^\"]*\") in class "
                r"('[^']*'|\"[^\"]*\"); a person has one active enrollment per class"),
     lambda m: f"у человека {m[1]} уже есть действующее зачисление {m[3]} ({_ROLE.get(m[2], m[2])}) в класс {m[4]}; "
               "в одном классе у человека одно действующее зачисление"),
    (re.compile(r"^link (\S+): "), lambda m: f"связь {m[1]}: "),
    (re.compile(r"^enrollment ('[^']*'|\"[^\"]*\"): "), lambda m: f"зачисление {m[1]}: "),
    *_SNILS,
    (re.compile(r"\bField required\b"), lambda m: "обязательное поле не заполнено"),
    (re.compile(r"\bcolumn «"), lambda m: "столбец «"),
]  # fmt: skip


def russian_reason(reason: str) -> str:
    """`reason` with every phrase the template reader writes in Russian."""
    for pattern, shown in _PHRASES:
        reason = pattern.sub(shown, reason)
    return reason
