"""initial schema: experiments, runs, metrics, sweep_points, datasets, workers

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "experiment_id",
            sa.Integer(),
            sa.ForeignKey("experiments.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("steps_total", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(100), nullable=True),
        sa.Column("worker_id", sa.String(200), nullable=True),
        sa.Column("heartbeat", sa.DateTime(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=True),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_runs_experiment_id", "runs", ["experiment_id"])
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_table(
        "metrics",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("step", sa.Integer(), primary_key=True),
        sa.Column("f", sa.Double(), nullable=True),
        sa.Column("g", sa.Double(), nullable=True),
        sa.Column("lambda", sa.Double(), nullable=True),
        sa.Column("violation", sa.Double(), nullable=True),
        sa.Column("grad_cos", sa.Double(), nullable=True),
    )
    op.create_table(
        "sweep_points",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("f", sa.Double(), nullable=True),
        sa.Column("g", sa.Double(), nullable=True),
        sa.Column("lambda", sa.Double(), nullable=True),
        sa.Column("violation", sa.Double(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=True),
        sa.Column("front_distance", sa.Double(), nullable=True),
        sa.Column("nondominated", sa.Boolean(), nullable=True),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False, unique=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(100), nullable=True),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("heartbeat", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("workers", "datasets", "sweep_points", "metrics"):
        op.drop_table(table)
    op.drop_index("ix_runs_status", "runs")
    op.drop_index("ix_runs_experiment_id", "runs")
    op.drop_table("runs")
    op.drop_table("experiments")
