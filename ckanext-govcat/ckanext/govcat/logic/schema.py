"""Input schemas of the catalog actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def catalog_tree(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"view": [ignore_missing, unicode_safe], "organization": [ignore_missing, unicode_safe]}


@validator_args
def catalog_next_code(not_empty: Validator, ignore_missing: Validator,
                      unicode_safe: Validator) -> Schema:
    return {"classification": [not_empty, unicode_safe],
            "code_scheme": [ignore_missing, unicode_safe],
            "middle": [ignore_missing, unicode_safe]}


@validator_args
def catalog_statistics(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [ignore_missing, unicode_safe]}


@validator_args
def catalog_import(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                   boolean_validator: Validator) -> Schema:
    return {"upload": [not_empty], "organization": [ignore_missing, unicode_safe],
            "dry_run": [ignore_missing, boolean_validator]}
