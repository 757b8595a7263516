"""The ``ckan govcat …`` command group. Each GovCat plugin adds its subgroup (``catalog``,
``access``) and returns this one group from its ``IClick.get_commands``: CKAN keeps one command
per name, so two plugins returning groups of the same name would hide each other."""
from __future__ import annotations

import click


@click.group(name="govcat", short_help="GovCat commands")
def govcat() -> None:
    """GovCat commands."""
