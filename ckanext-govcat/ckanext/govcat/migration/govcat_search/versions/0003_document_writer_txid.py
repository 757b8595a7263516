"""Record which transaction last wrote each index document.

``govcat_search_doc.txid`` (``txid_current()`` of the writer, indexed) lets a searching process
fetch just the documents written since its facet bitmaps were last brought up to date
(``search/bitmaps.py``).

Revision ID: 0003_document_writer_txid
Revises: 0002_uncompressed_rank_texts
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_document_writer_txid"
down_revision = "0002_uncompressed_rank_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A constant default adds the column without rewriting the table; rows already indexed
    # count as written before any process synced its bitmaps (txid 0).
    op.add_column("govcat_search_doc", sa.Column(
        "txid", sa.BigInteger, nullable=False, server_default=sa.text("0")))
    op.alter_column("govcat_search_doc", "txid", server_default=sa.text("txid_current()"))
    op.create_index("ix_govcat_search_doc_txid", "govcat_search_doc", ["txid"])


def downgrade() -> None:
    op.drop_index("ix_govcat_search_doc_txid", table_name="govcat_search_doc")
    op.drop_column("govcat_search_doc", "txid")
