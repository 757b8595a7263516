"""Create the search index tables.

Revision ID: 0001_create_search_index
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0001_create_search_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govcat_search_doc",
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text),
        sa.Column("capacity", sa.Text),
        sa.Column("dataset_type", sa.Text),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("metadata_created", sa.DateTime(timezone=True)),
        sa.Column("ord", sa.Integer, sa.Identity(), nullable=False, unique=True),
        sa.Column("title_sort", sa.Text),
        sa.Column("rank_a", sa.Text, nullable=False),
        sa.Column("rank_b", sa.Text, nullable=False),
        sa.Column("rank_d", sa.Text, nullable=False),
        sa.Column("doc", pg.JSONB, nullable=False),
        sa.Column("tsv", pg.TSVECTOR, nullable=False),
        sa.Column("facet_terms", pg.ARRAY(sa.Integer), nullable=False),
        sa.Column("data_dict", sa.Text),
        sa.Column("validated_data_dict", sa.Text),
    )
    # Narrow heap rows: large values (document, dicts, tsvector) go out of line; the hot
    # columns are MAIN, which PostgreSQL keeps inline unless a row cannot fit in a page.
    op.execute("ALTER TABLE govcat_search_doc SET (toast_tuple_target = 256)")
    for column in ("index_id", "id", "name", "site_id", "state", "capacity", "dataset_type",
                   "permission_labels", "title_sort", "rank_a", "rank_b", "rank_d",
                   "facet_terms"):
        op.execute(f"ALTER TABLE govcat_search_doc ALTER COLUMN {column} SET STORAGE MAIN")
    op.create_index("ix_govcat_search_doc_id", "govcat_search_doc", ["id"])
    op.create_index("ix_govcat_search_doc_name", "govcat_search_doc", ["name"])
    op.create_index("ix_govcat_search_doc_metadata_modified", "govcat_search_doc",
                    ["metadata_modified"])
    op.create_index("govcat_search_doc_tsv_idx", "govcat_search_doc", ["tsv"],
                    postgresql_using="gin")
    op.create_index("govcat_search_doc_doc_idx", "govcat_search_doc", ["doc"],
                    postgresql_using="gin", postgresql_ops={"doc": "jsonb_path_ops"})
    # Filters on facet fields use this; permission labels are filtered on the (inline) heap
    # rows: an index on them is unselective and leads the planner away from the text index.
    op.create_index("govcat_search_doc_facet_terms_idx", "govcat_search_doc", ["facet_terms"],
                    postgresql_using="gin")
    op.create_table(
        "govcat_search_term",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.UniqueConstraint("field", "value", name="govcat_search_term_field_value_key"),
    )
    op.create_table(
        "govcat_search_facet_count",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("capacity", sa.Text, primary_key=True),
        sa.Column("dataset_type", sa.Text, primary_key=True),
        sa.Column("labels", pg.ARRAY(sa.Text), primary_key=True),
        sa.Column("term_id", sa.Integer, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "govcat_search_field",
        sa.Column("name", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("govcat_search_field")
    op.drop_table("govcat_search_facet_count")
    op.drop_table("govcat_search_term")
    op.drop_table("govcat_search_doc")
