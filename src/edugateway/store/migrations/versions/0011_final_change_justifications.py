"""final change justifications

The deputy director's permission for a final mark changed after its period closed (regulation 000 §3.3.11),
recorded with `edugateway finals justify` or on the web page; the nightly report lists such a change as justified.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "final_change_justifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("mark_key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("permitted_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document", sa.String(length=300), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_final_change_justifications_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_change_justifications")),
    )
    op.create_index(
        "uq_final_change_justifications_active",
        "final_change_justifications",
        ["school_id", "platform", "mark_key", "value"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_final_change_justifications_active", table_name="final_change_justifications")
    op.drop_table("final_change_justifications")
