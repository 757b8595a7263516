"""Create the conditional-access tables: applications, transitions, grants, reports, audit.

Revision ID: 0001_create_access_tables
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0001_create_access_tables"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "govcat_access_application",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("owner_org", sa.Text, index=True),
        sa.Column("user_id", sa.Text, nullable=False, index=True),
        sa.Column("resource_ids", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("applicant_type", sa.Text, nullable=False),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("uscc", sa.Text),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("security_measures", sa.Text, nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("agreement_version", sa.Text, nullable=False),
        sa.Column("agreement_text", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, index=True),
        sa.Column("deadline", sa.Date),
        sa.Column("created", TZ, nullable=False),
        sa.Column("modified", TZ, nullable=False),
    )
    op.create_table(
        "govcat_access_transition",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("application_id", sa.Text,
                  sa.ForeignKey("govcat_access_application.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "govcat_access_grant",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("application_id", sa.Text,
                  sa.ForeignKey("govcat_access_application.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("user_id", sa.Text, nullable=False, index=True),
        sa.Column("resource_ids", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("starts", TZ, nullable=False),
        sa.Column("expires", TZ, nullable=False),
        sa.Column("revoked", TZ),
        sa.Column("revoke_reason", sa.Text, nullable=False),
        sa.Column("created", TZ, nullable=False),
    )
    op.create_table(
        "govcat_access_report",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("grant_id", sa.Text,
                  sa.ForeignKey("govcat_access_grant.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("created", TZ, nullable=False),
    )
    op.create_table(
        "govcat_access_audit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("grant_id", sa.Text, nullable=False, index=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("at", TZ, nullable=False, index=True),
    )


def downgrade() -> None:
    for table in ("govcat_access_audit", "govcat_access_report", "govcat_access_grant",
                  "govcat_access_transition", "govcat_access_application"):
        op.drop_table(table)
