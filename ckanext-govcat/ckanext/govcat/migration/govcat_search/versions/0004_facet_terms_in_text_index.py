"""Facet terms as lexemes of the text index; a listing index that settles ties.

- Every document's tsvector also holds one positionless lexeme per facet term, ``#<term id>``
  (no query text can produce it: query lexemes are CJK runs or ``[0-9a-z]`` tokens). A search
  with both words and facet filters (``q=燃气&fq=share_type:…``) then finds exactly its matches
  in one GIN scan (words and filter values are keys of that scan), instead of reading every
  document that has the words and dropping those without the filter value. The separate GIN
  index on ``facet_terms`` is no longer used.
- ``(metadata_modified DESC, ord)``: the listing order (newest first, then ``ord``) straight
  off an index, however many datasets share a modification time.

Rows already indexed get their facet lexemes here (the tsvector's index is dropped first and
built again after), so no rebuild is needed.

Revision ID: 0004_facet_terms_in_text_index
Revises: 0003_document_writer_txid
Create Date: 2026-11-21
"""
from __future__ import annotations

from alembic import op

revision = "0004_facet_terms_in_text_index"
down_revision = "0003_document_writer_txid"
branch_labels = None
depends_on = None

_MARKERS = "ARRAY(SELECT '#' || t FROM unnest(facet_terms) t)"


def upgrade() -> None:
    op.drop_index("govcat_search_doc_tsv_idx", table_name="govcat_search_doc")
    op.execute(f"UPDATE govcat_search_doc SET tsv = tsv || array_to_tsvector({_MARKERS}) "
               "WHERE cardinality(facet_terms) > 0")
    op.create_index("govcat_search_doc_tsv_idx", "govcat_search_doc", ["tsv"],
                    postgresql_using="gin")
    op.drop_index("govcat_search_doc_facet_terms_idx", table_name="govcat_search_doc")
    op.drop_index("ix_govcat_search_doc_metadata_modified", table_name="govcat_search_doc")
    op.execute("CREATE INDEX ix_govcat_search_doc_modified_ord "
               "ON govcat_search_doc (metadata_modified DESC, ord)")
    op.execute("ANALYZE govcat_search_doc")  # every row was rewritten: fresh statistics


def downgrade() -> None:
    op.drop_index("ix_govcat_search_doc_modified_ord", table_name="govcat_search_doc")
    op.create_index("ix_govcat_search_doc_metadata_modified", "govcat_search_doc",
                    ["metadata_modified"])
    op.create_index("govcat_search_doc_facet_terms_idx", "govcat_search_doc", ["facet_terms"],
                    postgresql_using="gin")
    op.drop_index("govcat_search_doc_tsv_idx", table_name="govcat_search_doc")
    op.execute(f"UPDATE govcat_search_doc SET tsv = ts_delete(tsv, {_MARKERS}) "
               "WHERE cardinality(facet_terms) > 0")
    op.create_index("govcat_search_doc_tsv_idx", "govcat_search_doc", ["tsv"],
                    postgresql_using="gin")
