"""appeals: urgent and source (bot or oral); oral appeals' applicants; answer templates

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SURROGATE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("source", sa.String(length=16), server_default="bot", nullable=False))
    op.create_table(
        "oral_appeals",
        sa.Column("appeal_id", SURROGATE, autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("applicant_name", sa.String(length=128), nullable=False),
        sa.Column("contact", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_oral_appeals_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_oral_appeals")),
    )
    op.create_table(
        "answer_templates",
        sa.Column("id", SURROGATE, autoincrement=True, nullable=False),
        sa.Column("inspector_id", SURROGATE, nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspectors.id"],
            name=op.f("fk_answer_templates_inspector_id_inspectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_templates")),
    )
    op.create_index(op.f("ix_answer_templates_inspector_id"), "answer_templates", ["inspector_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_templates_inspector_id"), table_name="answer_templates")
    op.drop_table("answer_templates")
    op.drop_table("oral_appeals")
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("source")
        batch.drop_column("urgent")
