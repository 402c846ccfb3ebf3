#!/usr/bin/env bash
# The bundle's checks, from a fresh Debian 12 machine: the same setup as
# scripts/portal.sh (Debian packages when run as root, PostgreSQL, Redis,
# .venv) plus Chromium for the browser tests, the test database, then
# `ruff check` and pytest. Extra arguments go to pytest:
#
#   bash scripts/test.sh
#   bash scripts/test.sh -k search -x
#
# Environment: SPMD_TEST_DB_URL
# (postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd_test, exported as
# CKAN_SQLALCHEMY_URL), CKAN_REDIS_URL (test.ini: redis://localhost:6379/1),
# CKAN_SOLR_URL (a live Solr core with CKAN's schema: adds the Solr run of
# the search tests).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SPMD_ROOT"

DB_URL="${SPMD_TEST_DB_URL:-$SPMD_DEFAULT_TEST_DB_URL}"
REDIS_URL="${CKAN_REDIS_URL:-redis://localhost:6379/1}"

spmd_ensure_debian_packages "${SPMD_DEBIAN_PACKAGES[@]}" "${SPMD_DEBIAN_TEST_PACKAGES[@]}"
spmd_ensure_postgres "$DB_URL"
spmd_ensure_database "$DB_URL"
spmd_ensure_redis "$REDIS_URL"
spmd_ensure_venv

export CKAN_SQLALCHEMY_URL="$DB_URL"
# Playwright drives Debian's /usr/bin/chromium: never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mkdir -p "$SPMD_LOCAL"

spmd_migrate test.ini "$DB_URL"
# The datastore channel's tests need a datastore database (skipped without).
spmd_ensure_datastore test.ini "$DB_URL" ||
    spmd_warn "no datastore database could be set up: the datastore tests will be skipped"

failed=()
spmd_log "Linting (ruff check)"
if "$SPMD_VENV/bin/ruff" check ckanext-spmd ckanext-consent ckanext-affluence tests bench; then
    :
else
    failed+=("ruff check")
fi

spmd_log "Running the tests (pytest${*:+ $*})"
rc=0
"$SPMD_VENV/bin/python" -m pytest "$@" || rc=$?
case "$rc" in
0) ;;
5) failed+=("pytest (no test collected)") ;;
*) failed+=("pytest (exit $rc)") ;;
esac

if [ "${#failed[@]}" -gt 0 ]; then
    summary="$(printf '%s, ' "${failed[@]}")"
    printf 'error: failed: %s\n' "${summary%, }" >&2
    exit 1
fi
