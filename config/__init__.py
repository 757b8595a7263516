"""CKAN ini templates, shipped as data (``ckanext.govcat.ini``)."""
