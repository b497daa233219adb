"""sweep points carry their convergence verdict: converged, reason, steps_to_converge
(NULL in points stored before 0004, which read as "unknown")

A run's verdict needs no column: it is part of runs.summary (JSON) already.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_points") as batch:  # ADD COLUMN in place on both backends
        batch.add_column(sa.Column("converged", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(300), nullable=True))
        batch.add_column(sa.Column("steps_to_converge", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sweep_points") as batch:
        batch.drop_column("steps_to_converge")
        batch.drop_column("reason")
        batch.drop_column("converged")
