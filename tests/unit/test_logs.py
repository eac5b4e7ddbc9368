import json

import pytest
import structlog

from edugateway.logs import configure_logging, get_logger


@pytest.fixture
def json_log(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    configure_logging("json", "DEBUG")
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    structlog.reset_defaults()


def test_personal_fields_are_masked(json_log) -> None:  # type: ignore[no-untyped-def]
    get_logger().info(
        "person imported",
        person_id="s00001",
        snils="11223344595",
        last_name="Иванова",
        first_name="Мария",
        birth_date="2012-04-01",
        nested={"birthDate": "01.04.2012", "lastName": "Иванова", "count": 3},
    )
    (event,) = json_log()
    text = json.dumps(event, ensure_ascii=False)
    for secret in ("11223344595", "Иванова", "Мария", "2012-04-01", "01.04.2012"):
        assert secret not in text
    assert event["person_id"] == "s00001"
    assert event["snils"] == "***-***-*45 **"
    assert event["nested"]["count"] == 3


def test_snils_and_full_names_in_free_text_are_masked(json_log) -> None:  # type: ignore[no-untyped-def]
    get_logger().warning("rejected 112-233-445 95 for Петров Пётр Петрович, and 11223344595 too; id 1000006509021")
    (event,) = json_log()
    assert "112-233-445" not in event["event"]
    assert "11223344595" not in event["event"]
    assert "Петров Пётр Петрович" not in event["event"]
    assert "1000006509021" in event["event"]  # a 13-digit platform id is not a SNILS
