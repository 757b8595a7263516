from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Tests that touch CKAN run with the plugins of ``ckan.plugins`` again."""
