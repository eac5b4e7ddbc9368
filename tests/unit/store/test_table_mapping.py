"""The mapping file of `import table` (issue 18: «a column-mapping import for any system's export … encoding and
delimiter detected or set, columns mapped to our fields»): every problem one line naming the key."""

from pathlib import Path

import pytest

from edugateway.domain.models import Gender
from edugateway.errors import ValidationError
from edugateway.store.table_mapping import EXCEL_SERIAL, TableKind, load_mapping


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_shipped_avers_mappings_load_by_name() -> None:
    pupils, staff = load_mapping("avers-pupils"), load_mapping("avers-staff")
    assert pupils.record.kind is TableKind.PUPILS
    assert list(pupils.columns.values()) == ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Класс"]
    assert staff.record.kind is TableKind.STAFF
    assert staff.columns["role"] == "Должность"
    assert staff.columns["subject"] == "Предмет"
    assert pupils.formats.gender["м"] is Gender.MALE  # keys compared in lower case
    assert EXCEL_SERIAL in pupils.formats.dates
    assert pupils.source.delimiter_char is None  # auto


def test_a_full_mapping_file_is_read(tmp_path: Path) -> None:
    m = load_mapping(
        _write(
            tmp_path,
            '[source]\nencoding = "cp1251"\ndelimiter = "tab"\nheader_row = 3\n'
            'skip_rows = 1\nsheet = "Ученики"\n[record]\nkind = "pupils"\nacademic_year = 2025\n'
            '[columns]\nlast_name = " Фам "\nfirst_name = "Имя"\nclass = "Кл"\n'
            '[formats]\ndates = ["%d/%m/%Y"]\ngender = { "Мальчик" = "M", "Девочка" = "F" }\n',
        )
    )
    assert m.source.encoding == "cp1251"
    assert m.source.delimiter_char == "\t"
    assert (m.source.header_row, m.source.skip_rows, m.source.sheet) == (3, 1, "Ученики")
    assert m.record.academic_year == 2025
    assert m.columns["last_name"] == "Фам"
    assert m.formats.dates == ("%d/%m/%Y",)
    assert m.formats.gender == {"мальчик": Gender.MALE, "девочка": Gender.FEMALE}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = '[record]\nkind = "staff"\n[columns]\nlast_name = "Ф"\nfirst_name = "И"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + 'surname = "X"\n', "m.toml: [columns]: surname is not a field we know"),
        ('[record]\nkind = "staff"\n[columns]\nlast_name = "Ф"\n', "[columns]: map first_name to the file's column"),
        ('[record]\nkind = "pupils"\n[columns]\nlast_name = "Ф"\nfirst_name = "И"\n', "a pupils mapping maps class"),
        ('[record]\nkind = "parents"\n' + BASE.split("\n", 2)[2], "[record] kind: Input should be 'pupils' or 'staff'"),
        (BASE + '[source]\nencoding = "klingon"\n', "[source] encoding: 'klingon' is not an encoding Python knows"),
        (BASE + '[source]\ndelimiter = "|"\n', "[source] delimiter: '|' is not one of auto"),
        (BASE + "[source]\nheader_row = 0\n", "[source] header_row: Input should be greater than or equal to 1"),
        (BASE + "[source]\ncolour = 1\n", "[source] colour: is not a key of the mapping format"),
        (BASE + '[formats]\ndates = ["dd.mm.yyyy"]\n', "[formats] dates: 'dd.mm.yyyy' is neither a strptime format"),
        (BASE + '[formats]\ngender = { "М" = "male" }\n', "[formats] gender.М: Input should be 'M' or 'F'"),
        (BASE + 'middle_name = "И"\n', "[columns]: column И is mapped to two fields"),
        ('[columns]\nlast_name = "Ф"\nfirst_name = "И"\n', "[record]: is missing"),
        ("[record\n", "m.toml is not valid TOML"),
    ],
)
def test_a_wrong_mapping_is_refused_in_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _refusal(tmp_path, text)


def test_an_unknown_mapping_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ValidationError, match="neither a file nor a shipped mapping \\(avers-pupils, avers-staff\\)"):
        load_mapping("avers-parents")
