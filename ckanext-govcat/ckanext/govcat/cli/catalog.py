"""``ckan govcat catalog …`` commands."""
from __future__ import annotations

import click


@click.group(name="govcat", short_help="GovCat commands")
def govcat() -> None:
    """GovCat commands."""


@govcat.group(name="catalog")
def catalog() -> None:
    """The government information-resource catalog."""


def get_commands() -> list[click.Command]:
    return [govcat]
