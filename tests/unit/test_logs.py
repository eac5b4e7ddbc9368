import json

import pytest
import structlog
from structlog.contextvars import bind_contextvars, get_contextvars

from edugateway.logs import configure_logging, get_logger, run_context


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


def test_full_names_in_capitals_are_masked_too(json_log) -> None:  # type: ignore[no-untyped-def]
    """ЕСИА and СМЭВ answers often write names in capitals; a double surname keeps its hyphen."""
    get_logger().warning("СМЭВ: ПЕТРОВА-СОКОЛОВА АННА СЕРГЕЕВНА не найдена; ИВАНОВ ИВАН ИВАНОВИЧ найден; ГИС ЕЦП ОК")
    (event,) = json_log()
    assert "ПЕТРОВА-СОКОЛОВА" not in event["event"]
    assert "ИВАНОВ ИВАН" not in event["event"]
    assert "СМЭВ" in event["event"]
    assert "ГИС ЕЦП ОК" in event["event"]


def test_a_run_context_is_on_every_line_inside_and_gone_after(json_log) -> None:  # type: ignore[no-untyped-def]
    log = get_logger()
    with run_context(school="sch1", platform="dn", job=None):  # None is left out
        log.info("inside")
        bind_contextvars(run_id=7)  # the run's row exists now
        log.info("with the run id")
    log.info("after")
    inside, with_id, after = json_log()
    assert (inside["school"], inside["platform"]) == ("sch1", "dn")
    assert "job" not in inside
    assert "run_id" not in inside
    assert with_id["run_id"] == 7
    assert not {"school", "platform", "run_id"} & set(after)


def test_a_nested_run_context_restores_the_outer_one_even_after_an_error() -> None:
    def failing_run() -> None:
        with run_context(school="sch2", platform="dn"):
            bind_contextvars(run_id=3)
            raise RuntimeError("the run failed")

    with run_context(job="nightly", school="sch1"):
        with pytest.raises(RuntimeError):
            failing_run()
        assert get_contextvars() == {"job": "nightly", "school": "sch1"}
    assert get_contextvars() == {}


def test_context_values_are_masked_like_any_other(json_log) -> None:  # type: ignore[no-untyped-def]
    with run_context(school="sch1", snils="11223344595"):
        get_logger().info("inside")
    (event,) = json_log()
    assert event["snils"] == "***-***-*45 **"
    assert event["school"] == "sch1"
