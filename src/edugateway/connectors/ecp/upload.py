"""The edu-upload CSV service of the SMEV adapter (docs/platforms/ecp.md): one `;`-separated UTF-8 file a
request, `POST|DELETE <prefix>csv/{table}`, body application/octet-stream, 200 or 400 with the reasons.

The service takes a request whole or not at all (emulators/ecp/routes_upload.py), so one bad row would keep
every good row out. `EduUpload.push` therefore sends a batch, takes the rows the answer names (by line) out
as failed records, and sends the rest again until it lands; when a refusal names no line (a reference to a
pupil the platform lacks, an unreadable file) the batch is halved until the bad record stands alone.
One bad record never fails the others. When the service fails (an outage, 5xx, 429 after the client's
retries, a timeout, refused credentials) the records not yet landed are answered retryable: the platform
failed, not they, so the outbox keeps them queued and the sync run fails (sync/push.py).

The 400 body (Spring's error attributes with `errors: [{file, line, column, message}]`, inferred) is what
names the rows; PlatformClient hands it over decoded as `PlatformRejected.body`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from edugateway.connectors.base import WriteResult
from edugateway.connectors.http import PlatformClient
from edugateway.errors import ConnectorError, PlatformRejected
from edugateway.logs import get_logger
from edugateway.mapping import ecp as m

log = get_logger(__name__)

DEFAULT_PREFIX = "edu-upload/v1/"  # relative to the API base `…/api/`; the version is the path's {version}
FIRST_ROW_LINE = 2  # line 1 is the header; no value holds a line break, so row i is on line i + 2


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


STUDENTS = Table("students", m.STUDENT_COLUMNS, m.STUDENT_KEY)
REPRESENTATIVES = Table("representatives", m.REPRESENTATIVE_COLUMNS, m.REPRESENTATIVE_KEY)


@dataclass(frozen=True)
class Row:
    key: str  # the caller's key for the record, echoed in its WriteResult
    values: Mapping[str, str]


def csv_file(columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.values.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


@dataclass
class Refusal:
    """Why the service refused a file: reasons per row (index in the batch), and reasons naming no row."""

    by_row: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def refusal_of(body: object, rows: int) -> Refusal:
    """Reads `{message, errors: [{file, line, column, message}]}`; a line outside the rows is a general reason."""
    refusal = Refusal()
    if not isinstance(body, dict):
        refusal.general.append("refused without a readable reason")
        return refusal
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        reason = str(error.get("message") or "refused")
        if error.get("column"):
            reason = f"column {error['column']}: {reason}"
        line = error.get("line")
        index = line - FIRST_ROW_LINE if isinstance(line, int) else -1
        if 0 <= index < rows:
            refusal.by_row.setdefault(index, []).append(reason)
        else:
            refusal.general.append(reason)
    if not refusal.by_row and not refusal.general:
        refusal.general.append(str(body.get("message") or "refused without a reason"))
    return refusal


class EduUpload:
    def __init__(self, client: PlatformClient, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"

    async def push(self, table: Table, rows: Sequence[Row], *, deleting: bool = False) -> dict[str, WriteResult]:
        """Lands every row the service accepts; answers per row key."""
        columns = table.key if deleting else table.columns
        results: dict[str, WriteResult] = {}
        pending: list[list[Row]] = [list(rows)] if rows else []
        while pending:
            batch = pending.pop()
            try:
                refusal = await self._send(table, columns, batch, deleting=deleting)
            except ConnectorError as exc:  # an outage or refused credentials: nothing more lands now
                # The platform failed, not these records: retryable, so the outbox keeps them and the run fails.
                error = f"ГИС ЕЦП edu-upload did not take the {table.name} file: {exc}"
                for row in (r for b in (batch, *pending) for r in b):
                    results[row.key] = WriteResult(row.key, ok=False, error=error, retryable=True)
                break
            if refusal is None:
                for row in batch:
                    results[row.key] = WriteResult(row.key, ok=True, remote_id=row.key)
                continue
            if refusal.by_row:
                for index, reasons in refusal.by_row.items():
                    key = batch[index].key
                    results[key] = WriteResult(key, ok=False, error=_refused(table, reasons))
                rest = [row for i, row in enumerate(batch) if i not in refusal.by_row]
                if rest:
                    pending.append(rest)
            elif len(batch) == 1:
                results[batch[0].key] = WriteResult(batch[0].key, ok=False, error=_refused(table, refusal.general))
            else:  # the refusal names no row: halve until the bad record stands alone
                half = len(batch) // 2
                pending += [batch[half:], batch[:half]]
        log.info(
            "ecp edu-upload pushed",
            platform=self.client.platform,
            table=table.name,
            deleting=deleting,
            landed=sum(r.ok for r in results.values()),
            refused=sum(not r.ok for r in results.values()),
        )
        return results

    async def _send(
        self, table: Table, columns: Sequence[str], rows: Sequence[Row], *, deleting: bool
    ) -> Refusal | None:
        """None when the file landed; the refusal when the service answered 4xx."""
        try:
            await self.client.request(
                "DELETE" if deleting else "POST",
                f"{self.prefix}csv/{table.name}",
                content=csv_file(columns, rows),
                headers={"Content-Type": "application/octet-stream"},
            )
        except PlatformRejected as exc:
            return refusal_of(exc.body, len(rows))
        return None


def _refused(table: Table, reasons: Sequence[str]) -> str:
    return f"ГИС ЕЦП edu-upload refused the {table.name} row: {'; '.join(reasons)}; fix the local record and push again"
