"""trust: an erased resident's messages lose their Telegram ids; a published report keeps its drawn files

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeal_messages") as batch:
        batch.alter_column("source_chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch.alter_column("source_message_id", existing_type=sa.BigInteger(), nullable=True)
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("renders", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("renders")
    op.execute("DELETE FROM appeal_messages WHERE source_chat_id IS NULL OR source_message_id IS NULL")
    with op.batch_alter_table("appeal_messages") as batch:
        batch.alter_column("source_message_id", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("source_chat_id", existing_type=sa.BigInteger(), nullable=False)
