"""platform work types: a platform's work-type titles per school

Дневник.ру marks name their work type by the platform's numeric id; the report shows the title
(«Контрольная работа») stored here by the journal pull (issue 17). Existing marks get titles on the next pull.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_work_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_platform_work_types_school_id_schools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_work_types")),
        sa.UniqueConstraint(
            "school_id", "platform", "remote_id", name=op.f("uq_platform_work_types_school_id_platform_remote_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("platform_work_types")
