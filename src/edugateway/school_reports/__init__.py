"""The deputy director's reports of 004 §5: the monthly report of the journal's filling and накопляемость of
marks (for the month and the year to date), and the progress and attendance reports of a period or the year.

`month_report` and `period_report` build them from the local database; `write_report_files` writes the XLSX
and the printable HTML. The CLI (`edugateway reports month|period`), the web pages and the scheduler's
`month-report` / `period-report` jobs call these same functions.
"""

from edugateway.school_reports.files import write_report_files
from edugateway.school_reports.model import SchoolReport, Table
from edugateway.school_reports.month import month_report
from edugateway.school_reports.period import period_report

__all__ = ["SchoolReport", "Table", "month_report", "period_report", "write_report_files"]
