#!/usr/bin/env bash
# The demo portal, from a fresh Debian 12 machine: installs what is missing
# (Debian packages when run as root, .venv), starts PostgreSQL and Redis,
# creates the database, writes .local/portal.ini, migrates, creates the
# sysadmin `admin`, loads the demo content, then serves CKAN and runs the
# background-jobs worker until Ctrl-C.
#
#   bash scripts/portal.sh
#
# Environment: SPMD_PORT (5000), SPMD_HOST (127.0.0.1), SPMD_DB_URL
# (postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd), SPMD_ADMIN_PASSWORD
# (else generated once, kept in .local/admin-password), SPMD_DEMO=0 to skip
# the demo content, CKAN_REDIS_URL (redis://localhost:6379/0). SPMD_PORT and
# SPMD_DB_URL are written to .local/portal.ini, so later runs keep them.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SPMD_ROOT"

INI="$SPMD_LOCAL/portal.ini"
HOST="${SPMD_HOST:-127.0.0.1}"
REDIS_URL="${CKAN_REDIS_URL:-redis://localhost:6379/0}"
PORT=""     # SPMD_PORT, else the port of ckan.site_url in portal.ini, else 5000
SITE_URL="" # CKAN_SITE_URL, else ckan.site_url of portal.ini

# ----------------------------------------------------------- helpers

# Value of KEY in [app:main] of portal.ini, as written (empty when absent).
ini_get() {
    [ -f "$INI" ] || return 0
    spmd_py - "$INI" "$1" <<'EOF'
import configparser, sys
p = configparser.RawConfigParser()
p.optionxform = str
p.read(sys.argv[1])
print(p.get("app:main", sys.argv[2], fallback=""))
EOF
}

# Sets KEY = VALUE in portal.ini, keeping every other line.
ini_set() {
    spmd_py - "$INI" "$1" "$2" <<'EOF'
import re, sys
path, key, value = sys.argv[1:]
text = open(path, encoding="utf-8").read()
line = f"{key} = {value.replace('%', '%%')}"
pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
text = pattern.sub(lambda m: line, text, count=1) if pattern.search(text) else text.rstrip("\n") + "\n" + line + "\n"
open(path, "w", encoding="utf-8").write(text)
EOF
}

secret() { spmd_py -c "import secrets; print(secrets.token_urlsafe(${1:-32}))"; }

write_portal_ini() {
    mkdir -p "$SPMD_LOCAL/storage"
    if [ ! -f "$INI" ]; then
        spmd_log "Writing .local/portal.ini (secrets generated for this checkout)"
        local jwt key
        jwt="$(secret)"
        key="$(secret)"
        (umask 077 && cat >"$INI") <<EOF
# Local configuration of the demo portal, written once by scripts/portal.sh
# ($(date -u +%Y-%m-%dT%H:%M:%SZ)). Not committed: .local/ is gitignored.
# It uses config/development.ini and adds this checkout's secrets and paths;
# edit it freely. portal.sh only rewrites sqlalchemy.url / ckan.site_url
# when SPMD_DB_URL / SPMD_PORT are set and differ from what is here.

[app:main]
use = config:../config/development.ini

SECRET_KEY = $key
# WTF_CSRF_SECRET_KEY and beaker's session secret default to SECRET_KEY.
api_token.jwt.encode.secret = string:$jwt
api_token.jwt.decode.secret = string:$jwt

ckan.storage_path = $SPMD_LOCAL/storage
sqlalchemy.url = ${DB_URL//%/%%}
ckan.site_url = http://127.0.0.1:$PORT
EOF
        return 0
    fi
    if [ -n "${SPMD_DB_URL:-}" ] && [ "$(ini_get sqlalchemy.url)" != "${DB_URL//%/%%}" ]; then
        spmd_log "Setting sqlalchemy.url in .local/portal.ini (SPMD_DB_URL)"
        ini_set sqlalchemy.url "$DB_URL"
    fi
    if [ -n "${SPMD_PORT:-}" ] && [ "$(ini_get ckan.site_url)" != "http://127.0.0.1:$PORT" ]; then
        spmd_log "Setting ckan.site_url in .local/portal.ini (SPMD_PORT)"
        ini_set ckan.site_url "http://127.0.0.1:$PORT"
    fi
}

# Port of a local http URL (empty when it names no local port).
local_port_of() {
    spmd_py - "$1" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
if p.hostname in ("127.0.0.1", "localhost") and p.port:
    print(p.port)
EOF
}

port_in_use() {
    spmd_py - "$HOST" "$PORT" <<'EOF'
import socket, sys
host = "127.0.0.1" if sys.argv[1] in ("0.0.0.0", "") else sys.argv[1]
try:
    socket.create_connection((host, int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
EOF
}

# The sysadmin `admin`; its password is SPMD_ADMIN_PASSWORD, else the one
# kept in .local/admin-password, else a new one (kept there).
ensure_admin() {
    local password_file="$SPMD_LOCAL/admin-password" state stored=""
    spmd_parse_db_url "$DB_URL"
    state="$(psql -X -q -d "$SPMD_PG_URI" -tAc \
        "SELECT CASE WHEN sysadmin THEN 'sysadmin' ELSE state END FROM \"user\" WHERE name = 'admin'")"
    [ ! -s "$password_file" ] || stored="$(cat "$password_file")"
    if [ -n "${SPMD_ADMIN_PASSWORD:-}" ]; then
        ADMIN_PASSWORD="$SPMD_ADMIN_PASSWORD"
    elif [ -n "$stored" ]; then
        ADMIN_PASSWORD="$stored"
    elif [ -z "$state" ]; then
        ADMIN_PASSWORD="$(secret 12)"
    else
        ADMIN_PASSWORD="(unknown: set one with SPMD_ADMIN_PASSWORD=...)"
    fi
    if [ -z "$state" ]; then
        spmd_log "Creating the sysadmin admin"
        spmd_ckan -c "$INI" user add admin email=admin@example.org \
            "fullname=Administrateur du portail" "password=$ADMIN_PASSWORD" >/dev/null
        state=active
    elif [ -n "${SPMD_ADMIN_PASSWORD:-}" ] && [ "$SPMD_ADMIN_PASSWORD" != "$stored" ]; then
        spmd_log "Setting the password of admin (SPMD_ADMIN_PASSWORD)"
        spmd_ckan -c "$INI" user setpass admin --password "$SPMD_ADMIN_PASSWORD" >/dev/null
    fi
    if [ "$state" != sysadmin ]; then
        spmd_log "Making admin a sysadmin"
        spmd_ckan -c "$INI" sysadmin add admin >/dev/null
    fi
    case "$ADMIN_PASSWORD" in
    "(unknown"*) ;;
    "$stored") ;;
    *) (umask 077 && printf '%s\n' "$ADMIN_PASSWORD" >"$password_file") ;;
    esac
}

# ckan run + ckan jobs worker in the foreground; Ctrl-C (INT), TERM or HUP
# stops both, and when one dies the other is stopped and the script exits
# non-zero.
WEB="" WORKER="" WAITER=""

# shellcheck disable=SC2317  # called from traps
stop_all() {
    local pids=() groups=() pid deadline=$((SECONDS + 15))
    [ -z "$WAITER" ] || kill "$WAITER" 2>/dev/null || true
    for pid in "$WEB" "$WORKER"; do
        if [ -n "$pid" ]; then
            pids+=("$pid")
            groups+=("-$pid")
        fi
    done
    [ "${#pids[@]}" -gt 0 ] || return 0
    # Each runs in its own process group: the worker's scheduler child too.
    kill -TERM -- "${groups[@]}" 2>/dev/null || true
    for pid in "${groups[@]}"; do
        while kill -0 -- "$pid" 2>/dev/null; do
            if [ "$SECONDS" -ge "$deadline" ]; then
                kill -KILL -- "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
    done
    wait "${pids[@]}" 2>/dev/null || true
}

# shellcheck disable=SC2317  # called from traps
on_signal() {
    trap - INT TERM HUP
    echo
    spmd_log "Stopping CKAN and the worker"
    stop_all
    spmd_log "Stopped"
    exit "$1"
}

serve() {
    local rc=0
    trap 'on_signal 130' INT
    trap 'on_signal 143' TERM
    trap 'on_signal 129' HUP
    spmd_log "Starting CKAN on http://$HOST:$PORT/ and the background-jobs worker (Ctrl-C stops both)"
    # The executables themselves (not a shell function, which would leave a
    # subshell in between), each in its own process group (set -m).
    set -m
    "$SPMD_VENV/bin/ckan" -c "$INI" run --host "$HOST" --port "$PORT" --disable-reloader &
    WEB=$!
    "$SPMD_VENV/bin/ckan" -c "$INI" jobs worker &
    WORKER=$!
    set +m
    # shellcheck disable=SC2317  # ready is called through spmd_wait_for
    (
        ready() {
            spmd_py -c 'import sys, urllib.request as r; r.urlopen(sys.argv[1], timeout=2)' \
                "http://127.0.0.1:$PORT/api/3/action/status_show"
        }
        if spmd_wait_for 120 ready; then
            spmd_log "Portal ready: $SITE_URL/  (sysadmin: admin / $ADMIN_PASSWORD, $SITE_URL/user/login)"
        fi
    ) &
    WAITER=$!

    wait -n "$WEB" "$WORKER" || rc=$?
    trap - INT TERM HUP
    if kill -0 "$WEB" 2>/dev/null; then
        spmd_warn "the background-jobs worker exited (status $rc): stopping CKAN"
    else
        spmd_warn "CKAN exited (status $rc): stopping the worker"
    fi
    stop_all
    [ "$rc" != 0 ] || rc=1
    exit "$rc"
}

# ----------------------------------------------------------- steps

spmd_ensure_debian_packages "${SPMD_DEBIAN_PACKAGES[@]}"

# What the environment says, else what portal.ini says, else the defaults.
DB_URL="${SPMD_DB_URL:-$(ini_get sqlalchemy.url | sed 's/%%/%/g')}"
DB_URL="${DB_URL:-$SPMD_DEFAULT_DB_URL}"
PORT="${SPMD_PORT:-$(local_port_of "$(ini_get ckan.site_url)")}"
PORT="${PORT:-5000}"

spmd_ensure_postgres "$DB_URL"
spmd_ensure_database "$DB_URL"
spmd_ensure_redis "$REDIS_URL"
spmd_ensure_venv
write_portal_ini
SITE_URL="${CKAN_SITE_URL:-$(ini_get ckan.site_url)}"
SITE_URL="${SITE_URL%/}"

# The environment wins over every ini file: the database and Redis set up
# above are the ones CKAN uses, whatever portal.ini says.
export CKAN_SQLALCHEMY_URL="$DB_URL" CKAN_REDIS_URL="$REDIS_URL"

if port_in_use; then
    spmd_die "port $PORT is already in use on $HOST" "Stop what listens there, or set SPMD_PORT."
fi

spmd_migrate "$INI" "$DB_URL"
ensure_admin

if [ "${SPMD_DEMO:-1}" != 0 ]; then
    # The territory first: the consent and transit demos use its
    # organisations. Each load is idempotent.
    spmd_log "Loading the demo territory (ckan spmd demo load)"
    spmd_ckan -c "$INI" spmd demo load
    spmd_log "Loading the personal-data demo (ckan consent demo load)"
    spmd_ckan -c "$INI" consent demo load
    spmd_log "Loading the transit crowding demo (ckan affluence demo load)"
    spmd_ckan -c "$INI" affluence demo load
fi

spmd_log "Portal: $SITE_URL/"
spmd_note "sysadmin: admin / $ADMIN_PASSWORD  (log in at $SITE_URL/user/login)"
serve
