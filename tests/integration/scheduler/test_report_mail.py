"""Issue 17: «the nightly report e-mailed (HTML summary + XLSX attached) to the addresses configured per school,
not only alerts on failure» — through [alerts]' SMTP server, to a local SMTP sink; the body keeps the files'
rules on personal data (no SNILS; no pupil's name in the summary)."""

from __future__ import annotations

import io
from email.header import decode_header, make_header

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from structlog.testing import capture_logs

from edugateway.config.settings import AlertSettings, SchoolSettings, Settings
from edugateway.scheduler.report_mail import mail_report
from support.alert_sinks import SmtpSink
from support.report_factory import make_report

DIRECTOR, DEPUTY = "director@school7.ru", "zavuch@school7.ru"


def _settings(port: int, report_to: list[str]) -> Settings:
    alerts = AlertSettings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="edugateway@school7.ru", smtp_to=["it@school7.ru"]
    )
    return Settings(schools=[SchoolSettings(code="sch7", name="МАОУ СОШ № 7", report_to=report_to)], alerts=alerts)


def test_the_report_goes_to_the_schools_addresses_with_the_summary_and_the_workbook() -> None:
    with SmtpSink() as sink:
        sent = mail_report(
            _settings(sink.port, [DIRECTOR, DEPUTY]), "sch7", make_report(), {"marks.only_remote": 5}, None
        )

    assert sent == 2
    [(sender, recipients, message)] = sink.messages
    assert sender == "edugateway@school7.ru"
    assert recipients == [DIRECTOR, DEPUTY]  # the school's, not the alerts' smtp_to
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Сверка 22.11.2026: МАОУ СОШ № 7, Дневник.ру — замечаний 13 (▲ +8)"
    parts = {part.get_content_type(): part for part in message.walk()}
    html = parts["text/html"].get_payload(decode=True).decode("utf-8")
    assert "Что не так" in html
    assert "Отметки, которых нет в базе школы" in html
    attachment = parts["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    assert attachment.get_filename() == "sch7-dnevnik-2026-11-22.xlsx"
    book = load_workbook(io.BytesIO(attachment.get_payload(decode=True)))
    assert book.sheetnames[0] == "Сводка"

    raw = message.as_bytes().decode("utf-8", "replace")
    everything = raw + html
    for secret in ("22334455616", "223-344-556 16", "112-233-445 95"):
        assert secret not in everything
    for pupil in ("Сидорова Анна", "Смирнова Алёна", "Волкова Мария"):
        assert pupil not in html


def test_a_school_without_addresses_gets_no_mail() -> None:
    with SmtpSink() as sink:
        assert mail_report(_settings(sink.port, []), "sch7", make_report(), None, None) == 0
    assert sink.messages == []


def test_a_mail_server_that_is_down_is_logged_and_does_not_fail_the_night() -> None:
    with SmtpSink() as sink:
        port = sink.port
    with capture_logs() as logs:
        assert mail_report(_settings(port, [DIRECTOR]), "sch7", make_report(), None, None) == 0
    failed = [e for e in logs if e["event"] == "reconcile.report_mail_failed"]
    assert failed
    assert failed[0]["recipients"] == 1
    assert DIRECTOR not in str(failed)


def test_report_to_without_a_mail_server_is_refused_at_load() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(schools=[SchoolSettings(code="sch7", report_to=[DIRECTOR])])
    assert "schools.0.report_to: the report is mailed through [alerts]' SMTP server" in str(refused.value)
