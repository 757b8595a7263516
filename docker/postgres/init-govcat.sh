#!/bin/sh
# First start of the PostgreSQL container: the CKAN and DataStore databases, owned by the CKAN
# role, and the read-only DataStore role. The grants of the read-only role are applied by the
# GovCat image on start (`ckan datastore set-permissions`, as the databases' owner).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v ckan_password="$CKAN_DB_PASSWORD" -v ro_password="$DATASTORE_RO_PASSWORD" <<'SQL'
CREATE ROLE ckan LOGIN PASSWORD :'ckan_password';
CREATE ROLE datastore_ro LOGIN PASSWORD :'ro_password';
CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8';
CREATE DATABASE datastore OWNER ckan ENCODING 'UTF8';
SQL
