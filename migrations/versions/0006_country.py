"""buildings: the country whose law and calendar their appeals follow

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("buildings") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), server_default="KZ", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("buildings") as batch:
        batch.drop_column("country")
