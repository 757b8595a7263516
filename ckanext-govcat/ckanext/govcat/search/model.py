"""Tables of the PostgreSQL search index (alembic history: ``migration/govcat_search``).

``govcat_search_doc`` holds one row per indexed dataset. Its hot columns (filters, sort keys,
``facet_terms`` = ids of the (field, value) pairs of the facet fields, and the short normalised
texts ranking reads) stay inline in narrow heap rows; the index document CKAN builds (``doc``),
the dataset dicts returned from searches and the weighted tsvector (matched through its GIN index;
it also holds a positionless lexeme ``#<term id>`` per facet term, so facet filters are matched
in the same index scan as the words) live out of line. ``govcat_search_term`` is the facet term dictionary; ``govcat_search_field``
lists every field name ever indexed (sorting on anything else is an error).
``govcat_search_facet_count`` keeps, per slice (site, state, capacity, dataset type, label set),
how many documents carry each facet term (term 0: all documents); the write path maintains it
in the same transaction, so unfiltered facet counts need no scan.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()

doc_table = sa.Table(
    "govcat_search_doc", metadata,
    sa.Column("index_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, nullable=False, index=True),
    sa.Column("name", sa.Text, index=True),
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
    # The writer's transaction id: what changed since a snapshot (search/bitmaps.py).
    sa.Column("txid", sa.BigInteger, nullable=False, index=True,
              server_default=sa.text("txid_current()")),
    sa.Index("govcat_search_doc_tsv_idx", "tsv", postgresql_using="gin"),
    sa.Index("govcat_search_doc_doc_idx", "doc", postgresql_using="gin",
             postgresql_ops={"doc": "jsonb_path_ops"}),
    # The listing order (newest first, ties by ord) read straight off an index.
    sa.Index("ix_govcat_search_doc_modified_ord", sa.text("metadata_modified DESC"), "ord"),
)

term_table = sa.Table(
    "govcat_search_term", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.UniqueConstraint("field", "value", name="govcat_search_term_field_value_key"),
)

facet_count_table = sa.Table(
    "govcat_search_facet_count", metadata,
    sa.Column("site_id", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, primary_key=True),
    sa.Column("capacity", sa.Text, primary_key=True),
    sa.Column("dataset_type", sa.Text, primary_key=True),
    sa.Column("labels", pg.ARRAY(sa.Text), primary_key=True),
    sa.Column("term_id", sa.Integer, primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

# govcat_search_facet_count's term id counting every document of a slice (no facet term has it).
TOTAL_TERM = 0

field_table = sa.Table(
    "govcat_search_field", metadata,
    sa.Column("name", sa.Text, primary_key=True),
)
