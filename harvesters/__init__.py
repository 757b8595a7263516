"""GovCat harvesters, one module per exchange-node type (前置机), on ckanext-harvest.

Installed as ``ckanext.govcat.harvesters``; each harvester is its own CKAN plugin.
"""
