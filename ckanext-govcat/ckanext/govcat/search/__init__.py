"""govcat_search: CKAN package search on PostgreSQL (no Solr). See ``bridge`` and ``backend``."""
