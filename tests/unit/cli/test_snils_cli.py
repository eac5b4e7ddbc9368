from typer.testing import CliRunner

from edugateway.cli import app

runner = CliRunner()


def test_snils_check_prints_canonical_form_and_verdicts() -> None:
    result = runner.invoke(app, ["snils", "check", "11223344595", "112 233 445 96", "12345"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "112-233-445 95\tvalid"
    assert lines[1].startswith("112-233-445 96\tinvalid: control number is 96")
    assert "11 digits" in lines[2]


def test_snils_check_all_valid_exits_zero() -> None:
    result = runner.invoke(app, ["snils", "check", "001-001-998 00"])
    assert result.exit_code == 0, result.output


def test_help_lists_commands_with_text() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "init-db" in result.output
    assert "snils" in result.output
