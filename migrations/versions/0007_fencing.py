"""fenced sending: the sender's lease counts its holders (epoch), and a delivery remembers the epoch that claimed it

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leases") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("epoch")
    with op.batch_alter_table("leases") as batch:
        batch.drop_column("epoch")
