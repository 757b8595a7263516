from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(scope="class")
def class_clean_db(reset_db, migrate_db_for) -> Iterator[None]:
    """``clean_db`` once per class, with the ``ckan.plugins`` loaded, for classes whose tests
    only read what one class-scoped fixture created (keeps the suite fast; every class that
    changes data uses ``clean_db`` per test)."""
    import ckan.plugins as p
    from ckan.lib import search

    p.load_all()
    try:
        reset_db()
        migrate_db_for("govcat_search")
        search.clear_all()
        yield
    finally:
        p.unload_all()
