"""rate buckets: a platform's rate limit shared by every process that calls it with one partner token

A platform limits a partner token, not a process: N workers each with their own token bucket would send N times
the allowed rate. `rate_buckets` holds one row per platform kind + base URL + client identity (a hash, never the
secret): the time its next request slot is free, moved forward by one conditional UPDATE per grant
(connectors/shared_rate_limit.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 04:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("next_free", sa.Float(precision=53), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
