"""Keep the ranking texts uncompressed.

Ranking reads ``rank_a``/``rank_b``/``rank_d`` of every matched row. As MAIN columns of a table
with ``toast_tuple_target = 256`` most of them were compressed, so every search decompressed
them again. PLAIN stores them as they are (the write path caps their length so a row always
fits in a page). Rows written before this revision keep their compressed values until they are
indexed again (``ckan search-index rebuild``).

Revision ID: 0002_uncompressed_rank_texts
Revises: 0001_create_search_index
Create Date: 2026-11-21
"""
from __future__ import annotations

from alembic import op

revision = "0002_uncompressed_rank_texts"
down_revision = "0001_create_search_index"
branch_labels = None
depends_on = None

RANK_COLUMNS = ("rank_a", "rank_b", "rank_d")


def upgrade() -> None:
    for column in RANK_COLUMNS:
        op.execute(f"ALTER TABLE govcat_search_doc ALTER COLUMN {column} SET STORAGE PLAIN")


def downgrade() -> None:
    for column in RANK_COLUMNS:
        op.execute(f"ALTER TABLE govcat_search_doc ALTER COLUMN {column} SET STORAGE MAIN")
