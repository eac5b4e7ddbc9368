"""The demo prints examples of the import's problems: a SNILS or a full name in a reason is masked there."""

from edugateway.cli._demo import problem_groups
from edugateway.store.roster import RowProblem


def test_a_duplicate_snils_is_printed_masked() -> None:
    reason = "person 's00011': СНИЛС 503-520-720 30 already belongs to person 's00010' (Петров Пётр Петрович)"
    groups = problem_groups([RowProblem("users.csv", 95, reason)])
    ((kind, (line,)),) = groups.items()
    assert kind == "СНИЛС held by another person"
    assert line.startswith("users.csv:95: person 's00011': СНИЛС ***-***-*20 **")
    assert "503-520-720" not in line
    assert "Петров Пётр" not in line
