"""The line of each key of a TOML file, found by scanning its table headers and keys."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

from edugateway.config.toml_lines import key_lines, line_of

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "gateway.example.toml"

DOCUMENT = textwrap.dedent(
    '''\
    # a comment = not a key
    log_level = "INFO"   # trailing comment
    "quoted key" = 1

    [platforms.dnevnik]
    kind = "dnevnik"
    token = { env = "X", file = "[not a table]" }
    notes = """
    kind = "not a key inside a string"
    [not.a.table]
    """
    compliance.topic_deadline_days = 3

    [platforms.dnevnik.directions]
    marks = "pull"

    [ platforms . "my ecp" ]
    kind = 'ecp'
    half = [
      10,
      11, # a comment inside an array
    ]
    after = true

    [[jobs]]
    name = "a"

    [[jobs]]
    name = "b"

    [jobs.options]
    x = 1

    [[jobs]]
    name = "c"
    '''
)


def test_each_key_has_the_line_that_writes_it() -> None:
    lines = key_lines(DOCUMENT)
    assert lines[("log_level",)] == 2
    assert lines[("quoted key",)] == 3
    assert lines[("platforms",)] == 5  # implied by the first header that names it
    assert lines[("platforms", "dnevnik")] == 5
    assert lines[("platforms", "dnevnik", "kind")] == 6
    assert lines[("platforms", "dnevnik", "token")] == 7
    assert lines[("platforms", "dnevnik", "notes")] == 8
    assert lines[("platforms", "dnevnik", "compliance", "topic_deadline_days")] == 12
    assert lines[("platforms", "dnevnik", "directions", "marks")] == 15
    assert lines[("platforms", "my ecp", "kind")] == 18
    assert lines[("platforms", "my ecp", "after")] == 23


def test_text_inside_strings_arrays_and_comments_is_no_key() -> None:
    lines = key_lines(DOCUMENT)
    assert lines[("platforms", "dnevnik", "kind")] == 6
    assert ("not",) not in lines
    assert ("a comment",) not in lines
    assert ("platforms", "my ecp", "11") not in lines


def test_arrays_of_tables_are_indexed_and_subtables_follow_the_latest_element() -> None:
    lines = key_lines(DOCUMENT)
    assert lines[("jobs", 0, "name")] == 26
    assert lines[("jobs", 1, "name")] == 29
    assert lines[("jobs", 1, "options", "x")] == 32
    assert lines[("jobs", 2)] == 34
    assert lines[("jobs", 2, "name")] == 35


def test_a_key_not_written_falls_back_to_the_nearest_written_table() -> None:
    lines = key_lines(DOCUMENT)
    assert line_of(lines, ("platforms", "dnevnik", "base_url")) == (5, 2)
    assert line_of(lines, ("platforms", "dnevnik", "token", "env")) == (7, 3)
    assert line_of(lines, ("jobs", 2, "cron")) == (34, 2)
    assert line_of(lines, ("web", "port")) is None


def test_every_key_of_the_example_configuration_is_found_on_its_own_line() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = key_lines(text)
    source = text.splitlines()

    def walk(node: object, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = (*path, key)
                assert here in lines, here
                written = source[lines[here] - 1]
                assert key in written, (here, written)
                if not (isinstance(value, dict) and written.split("=")[0].strip() == key):  # inline tables
                    walk(value, here)
        elif isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
            for index, item in enumerate(node):
                walk(item, (*path, index))

    walk(tomllib.loads(text), ())
