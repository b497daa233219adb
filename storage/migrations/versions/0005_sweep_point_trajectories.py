"""sweep points carry a thinned trajectory of their row (JSON: ≤ 200 samples of the step and
each objective), so a whole front can be animated forming; NULL for points stored before
0005, for NSGA-II members and for tasks' sweeps

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_points") as batch:  # ADD COLUMN in place on both backends
        batch.add_column(sa.Column("trajectory", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sweep_points") as batch:
        batch.drop_column("trajectory")
