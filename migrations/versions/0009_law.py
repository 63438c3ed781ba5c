"""appeals by the law of the building's country: their kind, extensions of the term, redirects outside the police

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="appeal", nullable=False))
        batch.add_column(sa.Column("redirect_body", sa.String(length=256), nullable=True))
    op.create_table(
        "appeal_extensions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_due", UtcDateTime(), nullable=False),
        sa.Column("new_due", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_extensions_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_extensions")),
    )
    with op.batch_alter_table("appeal_extensions") as batch:
        batch.create_index(batch.f("ix_appeal_extensions_appeal_id"), ["appeal_id"], unique=False)
        batch.create_index(batch.f("ix_appeal_extensions_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("appeal_extensions")
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("redirect_body")
        batch.drop_column("kind")
