"""metrics and sweep points of runs with m ≥ 3 objectives hold the full objective and
multiplier lists (NULL for m = 2 rows, which read exactly as before)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("metrics", "sweep_points")


def upgrade() -> None:
    for table in TABLES:  # ADD COLUMN in place on both backends: no copy of the metrics table
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("objectives", sa.JSON(), nullable=True))
            batch.add_column(sa.Column("multipliers", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("multipliers")
            batch.drop_column("objectives")
