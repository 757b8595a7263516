#!/bin/sh
# GovCat container roles. Every role reads $CKAN_INI (config/govcat.ini), which takes all its
# values from CKAN_* environment variables.
#   web             migrate (under a database lock, so replicas may start together), then gunicorn
#   migrate         migrations, DataStore grants, sysadmin; then exit
#   worker          CKAN background jobs (`ckan jobs worker`)
#   harvest-gather  ckanext-harvest gather consumer
#   harvest-fetch   ckanext-harvest fetch consumer
#   scheduler       starts due harvest jobs, aggregates download statistics, expires ended
#                   conditional-access grants (every minute)
#   ckan ARGS…      any ckan command, e.g. `ckan user token add admin mytoken`
set -eu

migrate() {
    python -m ckanext.govcat.launcher.bootstrap --config "$CKAN_INI" --datastore-grants
}

# The harvest consumers block on Redis without a read timeout (see launcher/config.py).
blocking_redis() {
    CKAN_REDIS_URL="$(python -c 'import os; from ckanext.govcat.launcher.config import blocking_redis_url as b; print(b(os.environ["CKAN_REDIS_URL"]))')"
    export CKAN_REDIS_URL
}

role="${1:-web}"
[ $# -gt 0 ] && shift
case "$role" in
    web)
        [ "${GOVCAT_MIGRATE_ON_START:-true}" = "true" ] && migrate
        exec gunicorn --config python:ckanext.govcat.launcher.gunicorn_conf \
            --bind "0.0.0.0:${GOVCAT_WEB_PORT:-5000}" --env "CKAN_INI=$CKAN_INI" \
            ckanext.govcat.launcher.wsgi:application ;;
    migrate)        migrate ;;
    worker)         exec ckan -c "$CKAN_INI" jobs worker "$@" ;;
    harvest-gather) blocking_redis; exec ckan -c "$CKAN_INI" harvester gather-consumer ;;
    harvest-fetch)  blocking_redis; exec ckan -c "$CKAN_INI" harvester fetch-consumer ;;
    scheduler)      exec python -m ckanext.govcat.launcher.scheduler --config "$CKAN_INI" ;;
    ckan)           exec ckan -c "$CKAN_INI" "$@" ;;
    *)              exec "$role" "$@" ;;
esac
