"""web accounts belong to schools

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:20:00

Existing admins keep reading every school (all_schools); existing clerks and viewers get no school and see
nothing until `edugateway users schools NAME --add CODE` gives them one (`users list` and `doctor` say so).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Not batch_alter_table for web_users: on SQLite it rebuilds the table, and dropping the old one cascades to
# web_sessions (foreign keys are on), signing everyone out. SQLite (3.35+) adds and drops the column in place.


def upgrade() -> None:
    op.add_column("web_users", sa.Column("all_schools", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE web_users SET all_schools = :yes WHERE role = 'admin'").bindparams(yes=True))
    op.create_table(
        "web_user_schools",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_web_user_schools_school_id_schools"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_web_user_schools_user_id_web_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "school_id", name=op.f("pk_web_user_schools")),
    )
    with op.batch_alter_table("web_user_schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_user_schools_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_user_schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_user_schools_school_id"))
    op.drop_table("web_user_schools")
    op.drop_column("web_users", "all_schools")
