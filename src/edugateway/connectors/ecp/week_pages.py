"""One run's pupil-week pages of ГИС ЕЦП (the schedule, the marks-and-presence table), each fetched once.

The family API pages the journal by pupil and school week, and one marks table serves both marks and
attendance; a pull window that ends mid-week shares that week's pages with the next window. So the
connector keeps the pages of the weeks being read and drops those of weeks no longer asked for: the pull
reads lessons, marks and attendance of one window before the next (sync/pull.py), which keeps at most one
window's pages in memory and never fetches a pupil-week page twice in a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from edugateway.connectors.ecp.weeks import Week

Page = list[tuple[dt.date, dict[str, Any]]]  # (day, item) of one pupil's week
Key = tuple[str, str, Week]  # (page kind, pupil, week)


class WeekPages:
    def __init__(self) -> None:
        self._pages: dict[Key, Page] = {}
        self.fetched = 0  # pages fetched from the platform (each once)
        self.served = 0  # pages served again from memory

    def keep_only(self, weeks: Collection[Week]) -> None:
        """Forget the pages of weeks other than `weeks` (the range now being read)."""
        wanted = set(weeks)
        self._pages = {k: v for k, v in self._pages.items() if k[2] in wanted}

    async def page(self, kind: str, student_id: str, week: Week, fetch: Callable[[], Awaitable[Page]]) -> Page:
        key = (kind, student_id, week)
        found = self._pages.get(key)
        if found is not None:
            self.served += 1
            return found
        page = await fetch()
        self._pages[key] = page
        self.fetched += 1
        return page
