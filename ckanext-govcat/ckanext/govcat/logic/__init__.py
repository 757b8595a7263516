"""CKAN-facing catalog logic: config accessor, validators, helpers, actions and auth (``govcat``)."""
