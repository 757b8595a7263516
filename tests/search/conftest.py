from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(scope="class")
def class_clean_db(reset_db, migrate_db_for) -> Iterator[None]:
    """``clean_db`` once per class, with the ``ckan.plugins`` loaded, for classes whose tests
    only read what one class-scoped fixture created (keeps the suite fast; every class that
    changes data uses ``clean_db`` per test)."""
    import ckan.plugins as p

    from tests.conftest import reset_database

    p.load_all()
    try:
        reset_database(reset_db, migrate_db_for)
        yield
    finally:
        p.unload_all()
