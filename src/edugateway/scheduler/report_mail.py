"""The nightly report by e-mail to the addresses a school lists in `report_to` ([[schools]]): the director's one
page (render_summary.py) as the HTML body, a plain-text line for mail readers without HTML, and the workbook
attached. It goes through [alerts]' SMTP server with the alerts' own sender (alerts.py).

The body and the workbook are rendered from `scrubbed(report)` like every file of the night: no SNILS, and the
body names teachers and classes, never a pupil. A mail server that fails is logged (the addresses' count, not
the addresses) and does not fail the night: the report is written and in the web app either way."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from edugateway.config.settings import Settings
from edugateway.logs import get_logger
from edugateway.reconciliation.first_screen import first_screen
from edugateway.reconciliation.render_summary import render_summary_html
from edugateway.reconciliation.render_xlsx import render_xlsx
from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_files import report_stem
from edugateway.reconciliation.report_view import change_text, platform_title, show_date
from edugateway.scheduler.alerts import Alerter

log = get_logger(__name__)

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def report_message(
    report: Report, previous_summary: dict[str, int] | None, to: list[str], zone: dt.tzinfo | None
) -> EmailMessage:
    first = first_screen(report, previous_summary)  # the same total and change as the body and the page
    total, change = first.total, first.total_change
    message = EmailMessage()
    message["Subject"] = (
        f"Сверка {show_date(report.as_of)}: {report.school_name}, {platform_title(report.platform)} — "
        f"замечаний {total} ({change_text(change)})"
    )
    message["To"] = ", ".join(to)
    message.set_content(
        f"Ночная сверка {report.school_name} с {platform_title(report.platform)} за {show_date(report.as_of)}: "
        f"замечаний {total}. Главное — в письме (HTML), полный список — во вложенной таблице.\n"
    )
    message.add_alternative(render_summary_html(report, previous_summary, zone=zone), subtype="html")
    message.add_attachment(
        render_xlsx(report, previous_summary, zone=zone),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename=f"{report_stem(report)}.xlsx",
    )
    return message


def mail_report(
    settings: Settings,
    school: str,
    report: Report,
    previous_summary: dict[str, int] | None,
    zone: dt.tzinfo | None,
    alerter: Alerter | None = None,
) -> int:
    """Mails the report to the school's `report_to`; how many addresses it went to (0: none set, or it failed)."""
    to = next((s.report_to for s in settings.schools if s.code == school), [])
    if not to:
        return 0
    sender = alerter or Alerter.from_settings(settings.alerts)
    error = sender.send_mail(report_message(report, previous_summary, to, zone))
    if error:
        log.error("reconcile.report_mail_failed", school=school, recipients=len(to), error=error)
        return 0
    log.info("reconcile.report_mailed", school=school, recipients=len(to))
    return len(to)
