"""deliveries: messages about appeals (routing, held for a reader who blocked the bot), their author; no more
"uncertain" rows (a message whose fate is unknown is sent once more)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch.add_column(
            sa.Column("appeal_message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch.add_column(sa.Column("author_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("told", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_foreign_key(
            "fk_deliveries_appeal_id_appeals", "appeals", ["appeal_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            "fk_deliveries_appeal_message_id_appeal_messages",
            "appeal_messages",
            ["appeal_message_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_deliveries_appeal_id", ["appeal_id"])
        batch.create_index("ix_deliveries_appeal_message_id", ["appeal_message_id"])
    # Rows left "uncertain" were never sent again: what they carried may not have arrived.
    op.execute("UPDATE deliveries SET status = 'failed' WHERE status = 'uncertain'")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_appeal_message_id")
        batch.drop_index("ix_deliveries_appeal_id")
        batch.drop_constraint("fk_deliveries_appeal_message_id_appeal_messages", type_="foreignkey")
        batch.drop_constraint("fk_deliveries_appeal_id_appeals", type_="foreignkey")
        batch.drop_column("told")
        batch.drop_column("author_id")
        batch.drop_column("appeal_message_id")
        batch.drop_column("appeal_id")
