"""appeals

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_updates_at"), ["at"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=True),
        sa.Column("flat", sa.String(length=16), nullable=True),
        sa.Column("inspector_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("first_response_due", UtcDateTime(), nullable=False),
        sa.Column("first_response_at", UtcDateTime(), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("reopened", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_appeals_building_id_buildings"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["inspectors.id"], name=op.f("fk_appeals_inspector_id_inspectors"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["users.id"], name=op.f("fk_appeals_resident_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_appeals_draft_key")),
        sa.UniqueConstraint("number", name=op.f("uq_appeals_number")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_building_id"), ["building_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_inspector_id"), ["inspector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_status"), ["status"], unique=False)

    op.create_table(
        "appeal_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_events_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_events")),
    )
    with op.batch_alter_table("appeal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_events_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "appeal_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("source_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("source_message_id", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_messages_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_messages")),
    )
    with op.batch_alter_table("appeal_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_messages_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "message_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("peer_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("peer_message_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_message_links_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_links")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_message_links_chat_id")),
    )
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_links_appeal_id"), ["appeal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_links_appeal_id"))

    op.drop_table("message_links")
    with op.batch_alter_table("appeal_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_messages_appeal_id"))

    op.drop_table("appeal_messages")
    with op.batch_alter_table("appeal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_events_appeal_id"))

    op.drop_table("appeal_events")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_status"))
        batch_op.drop_index(batch_op.f("ix_appeals_resident_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_inspector_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_due_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_created_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_building_id"))

    op.drop_table("appeals")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_updates_at"))

    op.drop_table("processed_updates")
    op.drop_table("counters")
