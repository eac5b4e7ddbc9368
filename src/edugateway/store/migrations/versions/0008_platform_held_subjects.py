"""platform held subjects

A subject the platform teaches and the school lacks is held for the platform (subjects.held_for), so its pulled
journal is stored rather than skipped; a lesson keeps the platform's teacher (lessons.teacher_ref) until a link
fills in teacher_id; a sync run records what still needs mapping (sync_runs.needs_mapping).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
# 0007 is being written on another branch; when both are merged this becomes "0007".
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_for", sa.String(length=64), nullable=True))

    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teacher_ref", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_lessons_teacher_ref", ["school_id", "teacher_ref"], unique=False)

    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs_mapping", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("needs_mapping")

    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_index("ix_lessons_teacher_ref")
        batch_op.drop_column("teacher_ref")

    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_column("held_for")
