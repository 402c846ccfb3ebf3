"""Erasure requests get the producer's answer: when, by whom, and the
grounds of a refusal.

Revision ID: 0002_erasure_answers
Revises: 0001_consent_registry
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_erasure_answers"
down_revision = "0001_consent_registry"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("consent_erasure", sa.Column("handled_at", sa.DateTime(timezone=True)))
    op.add_column("consent_erasure", sa.Column("handled_by", sa.Text))
    op.add_column("consent_erasure", sa.Column("note", sa.Text))


def downgrade():
    for column in ("note", "handled_by", "handled_at"):
        op.drop_column("consent_erasure", column)
