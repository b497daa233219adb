"""runs, experiments and datasets carry their owner: the browser session that created them
(workshop mode, MOO_ADMIN_TOKEN: only the owner or the instructor may delete or cancel them);
NULL for rows stored before 0006 and for rows made by the CLI

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("runs", "experiments", "datasets")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:  # ADD COLUMN in place on both backends
            batch.add_column(sa.Column("owner", sa.String(64), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite it would copy runs and experiments into new tables and drop
    # the old ones, and that DROP cascades to their metrics and runs. ALTER TABLE … DROP
    # COLUMN works in place (SQLite ≥ 3.35; Python 3.11's bundled SQLite is newer).
    for table in TABLES:
        op.drop_column(table, "owner")
