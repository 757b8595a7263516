"""GovCat data files: ckanext-scheming schemas and presets, the classification tree, controlled
vocabularies and the search user dictionary. Installed as ``ckanext.govcat.schemas``; read
them with ``importlib.resources``."""
