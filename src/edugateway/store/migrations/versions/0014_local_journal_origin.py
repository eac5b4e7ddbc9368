"""local journal origin: which lessons, marks and attendance entries the school's own journal holds

A school whose journal of record is its own system (seed 004: АИС «Аверс») imports it with `import journal`
(issue 18); those rows are the local journal, pushed to the platform where the marks' direction is push. They are
told apart from rows pulled from a platform by `origin = 'local'`; pulled and older rows keep NULL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("lessons", "marks", "attendance")

# Plain add_column/drop_column, not batch_alter_table: on SQLite a batch rebuilds the table, and dropping the old
# lessons table would cascade to marks and attendance (foreign keys are on). SQLite 3.35+ does both in place.


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("origin", sa.String(length=16), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "origin")
