"""journal entry times: lesson bell times, homework sent, attendance entered

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:00:00

The times Дневник.ру and ИСУОД deliver (timetable bells, a homework's `sentDate`, an attendance entry's
`createdDate`), stored in UTC so the homework_late and attendance_late rules can judge them in the school's zone.
Existing rows get NULL: their times are filled in by the next pull of their days.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LESSON_TIMES = ("starts_at", "ends_at", "homework_sent_at")

# Plain add_column/drop_column, not batch_alter_table: on SQLite a batch rebuilds the table, and dropping the old
# lessons table would cascade to marks and attendance (foreign keys are on). SQLite 3.35+ does both in place.


def upgrade() -> None:
    for name in LESSON_TIMES:
        op.add_column("lessons", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.add_column("attendance", sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("attendance", "entered_at")
    for name in reversed(LESSON_TIMES):
        op.drop_column("lessons", name)
