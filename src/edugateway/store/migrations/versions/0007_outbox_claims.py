"""outbox claims: the sync run that claimed a row, and failed rows a later row of the same record superseded

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 20:18:45.684690
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sync_outbox_claimed_by"), ["claimed_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sync_outbox_claimed_by_sync_runs"),
            "sync_runs",
            ["claimed_by"],
            ["id"],
            ondelete="SET NULL",
        )
    # Rows that gave up before (attempts ran out during outages) while a newer row of the same record was queued
    # and pushed later: the newer row carries the record, so the old one is no longer owed.
    op.execute(
        sa.text(
            "UPDATE sync_outbox SET status = 'superseded' WHERE status = 'failed' AND EXISTS ("
            "SELECT 1 FROM sync_outbox AS later WHERE later.school_id = sync_outbox.school_id "
            "AND later.platform = sync_outbox.platform AND later.entity = sync_outbox.entity "
            "AND later.local_key = sync_outbox.local_key AND later.id > sync_outbox.id)"
        )
    )


def downgrade() -> None:
    # `superseded` rows stay as they are: the code before 0007 sends only pending and sending rows.
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sync_outbox_claimed_by_sync_runs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sync_outbox_claimed_by"))
        batch_op.drop_column("claimed_by")
