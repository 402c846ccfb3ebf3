# shellcheck shell=bash disable=SC2034
# Setup steps shared by scripts/portal.sh and scripts/test.sh: Debian
# packages, PostgreSQL, Redis, the database, the Python virtual environment.
# Sourced, not run. Every step is idempotent and cheap when there is nothing
# to do.

SPMD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPMD_VENV="$SPMD_ROOT/.venv"
SPMD_LOCAL="$SPMD_ROOT/.local"
SPMD_DEFAULT_DB_URL="postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd"
SPMD_DEFAULT_TEST_DB_URL="postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd_test"

# Debian packages, one requirement per word; `a|b` means either will do (the
# first is installed when none is). PostgreSQL's `unaccent` extension, which
# the search backend uses, ships in Debian's postgresql-NN server package
# (what `postgresql-contrib` pulls in).
SPMD_DEBIAN_PACKAGES=(
    "postgresql|postgresql-15|postgresql-16|postgresql-17"
    redis-server
    libpq-dev        # psycopg2 is built from source
    python3
    python3-venv
    python3-dev
    build-essential
    libmagic1        # python-magic (CKAN's upload type detection)
    ca-certificates
)
# Browser tests: Playwright drives Debian's Chromium (no browser download).
SPMD_DEBIAN_TEST_PACKAGES=(chromium fonts-liberation)

spmd_log() { printf '==> %s\n' "$*"; }
spmd_note() { printf '    %s\n' "$*"; }
spmd_warn() { printf 'warning: %s\n' "$*" >&2; }
spmd_die() {
    printf 'error: %s\n' "$1" >&2
    shift
    local line
    for line in "$@"; do printf '       %s\n' "$line" >&2; done
    exit 1
}
spmd_is_root() { [ "$(id -u)" -eq 0 ]; }

# --------------------------------------------------------------- Debian

spmd_dpkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# spmd_ensure_debian_packages REQUIREMENT...
spmd_ensure_debian_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        spmd_warn "not a Debian system: make sure these are installed: $*"
        return 0
    fi
    local req alt ok alts missing=()
    for req in "$@"; do
        ok=0
        IFS='|' read -r -a alts <<<"$req"
        for alt in "${alts[@]}"; do
            if spmd_dpkg_installed "$alt"; then ok=1; break; fi
        done
        [ "$ok" = 1 ] || missing+=("${alts[0]}")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        spmd_log "Debian packages present"
        return 0
    fi
    if ! spmd_is_root; then
        spmd_die "missing Debian packages: ${missing[*]}" \
            "Install them as root, then run this script again:" \
            "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" \
            "(or run this script as root: it installs them itself)."
    fi
    spmd_log "Installing Debian packages: ${missing[*]}"
    # A UTF-8 locale for the PostgreSQL cluster the server package creates.
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        apt-get update -qq
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --------------------------------------------------------------- Python

# The interpreter that creates .venv: $SPMD_PYTHON, else the first python3
# (>= 3.10, with venv and ensurepip) found.
spmd_find_python() {
    local c
    for c in "${SPMD_PYTHON:-}" python3 /usr/bin/python3 python3.13 python3.12 python3.11 python3.10; do
        if [ -z "$c" ] || ! command -v "$c" >/dev/null 2>&1; then continue; fi
        if "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' \
            >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

# Any Python for the small helpers below (before .venv exists too).
spmd_py() {
    if [ -x "$SPMD_VENV/bin/python" ]; then
        "$SPMD_VENV/bin/python" "$@"
    else
        python3 "$@"
    fi
}

spmd_install_hash() {
    (
        cd "$SPMD_ROOT" || exit 1
        "$SPMD_VENV/bin/python" -VV
        for f in requirements.txt constraints.txt ckanext-spmd/pyproject.toml \
            ckanext-consent/pyproject.toml ckanext-affluence/pyproject.toml; do
            printf '%s\n' "$f"
            cat "$f"
        done
    ) | sha256sum | cut -d' ' -f1
}

# .venv with the bundle installed; reinstalls only when requirements.txt,
# constraints.txt or a pyproject.toml changed (hash stamp in .venv).
spmd_ensure_venv() {
    local stamp="$SPMD_VENV/.spmd-install-stamp" py want
    if [ -e "$SPMD_VENV" ] && ! "$SPMD_VENV/bin/python" -c \
        'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then
        spmd_log "Removing the unusable virtual environment .venv"
        rm -rf "$SPMD_VENV"
    fi
    if [ ! -e "$SPMD_VENV" ]; then
        py="$(spmd_find_python)" || spmd_die "no Python >= 3.10 with the venv module found" \
            "On Debian: apt-get install python3 python3-venv (or set SPMD_PYTHON)."
        spmd_log "Creating the virtual environment .venv ($("$py" --version 2>&1))"
        "$py" -m venv "$SPMD_VENV"
    fi
    want="$(spmd_install_hash)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        spmd_log "Python packages up to date (.venv)"
        return 0
    fi
    spmd_log "Installing Python packages into .venv (pip install -c constraints.txt -r requirements.txt)"
    rm -f "$stamp"
    local rc=0
    # Quiet, errors shown; the filter drops pip's notes about absent local
    # package folders that some machines list in their pip configuration.
    (cd "$SPMD_ROOT" && "$SPMD_VENV/bin/python" -m pip install --disable-pip-version-check \
        --no-input -q -c constraints.txt -r requirements.txt) \
        2> >(grep -v "^WARNING: Location 'file:.*' is ignored" >&2) || rc=$?
    [ "$rc" = 0 ] || spmd_die "pip install failed (exit $rc)"
    printf '%s\n' "$want" >"$stamp"
}

spmd_ckan() { "$SPMD_VENV/bin/ckan" "$@"; }

# --------------------------------------------------------------- PostgreSQL

# Sets SPMD_PG_USER, _PASSWORD, _HOST, _PORT, _DB and _URI (libpq form).
spmd_parse_db_url() {
    local out
    out="$(spmd_py - "$1" <<'EOF'
import shlex, sys, urllib.parse as u
url = sys.argv[1]
p = u.urlsplit(url)
if p.scheme.split("+")[0] not in ("postgresql", "postgres") or not p.path.strip("/"):
    sys.exit(f"not a PostgreSQL database URL: {url}")
values = {
    "USER": u.unquote(p.username or ""),
    "PASSWORD": u.unquote(p.password or ""),
    "HOST": p.hostname or "localhost",
    "PORT": str(p.port or 5432),
    "DB": u.unquote(p.path.strip("/")),
    "URI": "postgresql://" + url.split("://", 1)[1],
}
for k, v in values.items():
    print(f"SPMD_PG_{k}={shlex.quote(v)}")
EOF
)" || spmd_die "bad database URL: $1"
    eval "$out"
}

spmd_is_local_host() {
    case "$1" in localhost | 127.* | ::1 | /*) return 0 ;; *) return 1 ;; esac
}

spmd_wait_for() { # spmd_wait_for SECONDS COMMAND...
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.5
    done
}

# PostgreSQL server of the URL answering (started when local and stopped).
spmd_ensure_postgres() {
    spmd_parse_db_url "$1"
    local host="$SPMD_PG_HOST" port="$SPMD_PG_PORT"
    if pg_isready -q -h "$host" -p "$port" >/dev/null 2>&1; then
        spmd_log "PostgreSQL is running ($host:$port)"
        return 0
    fi
    spmd_is_local_host "$host" || spmd_die "PostgreSQL at $host:$port does not answer"
    spmd_is_root || spmd_die "PostgreSQL is not running on $host:$port" \
        "Start it (sudo service postgresql start) or run this script as root."
    spmd_log "Starting PostgreSQL"
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local ver name status started=0
        while read -r ver name _ status _; do
            [ -n "$ver" ] || continue
            started=1
            [ "$status" = online ] || pg_ctlcluster "$ver" "$name" start
        done < <(pg_lsclusters -h 2>/dev/null)
        if [ "$started" = 0 ]; then
            ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
            spmd_note "no cluster: creating $ver/main"
            pg_createcluster --locale C.UTF-8 --port "$port" --start "$ver" main >/dev/null
        fi
    else
        service postgresql start
    fi
    spmd_wait_for 30 pg_isready -q -h "$host" -p "$port" ||
        spmd_die "PostgreSQL did not start on $host:$port"
}

# Runs psql as the PostgreSQL superuser (peer authentication on the local
# socket); returns 3 when this account cannot become `postgres`.
spmd_psql_admin() {
    local args=(psql -X -q -v ON_ERROR_STOP=1 -p "$SPMD_PG_PORT" -d postgres "$@")
    if spmd_is_root; then
        (cd / && runuser -u postgres -- "${args[@]}")
    elif [ "$(id -un)" = postgres ]; then
        "${args[@]}"
    elif command -v sudo >/dev/null 2>&1 && sudo -n -u postgres true 2>/dev/null; then
        (cd / && sudo -n -u postgres "${args[@]}")
    else
        return 3
    fi
}

spmd_db_connects() {
    psql -X -q -d "$SPMD_PG_URI" -tAc 'SELECT 1' >/dev/null 2>&1
}

# Role and database of the URL (created when missing; the role owns the
# database, so it may create the `unaccent` extension).
spmd_ensure_database() {
    spmd_parse_db_url "$1"
    if spmd_db_connects; then
        spmd_log "Database $SPMD_PG_DB ready (user $SPMD_PG_USER)"
        return 0
    fi
    spmd_is_local_host "$SPMD_PG_HOST" ||
        spmd_die "cannot connect to database $SPMD_PG_DB on $SPMD_PG_HOST as $SPMD_PG_USER"
    spmd_log "Creating PostgreSQL role $SPMD_PG_USER and database $SPMD_PG_DB (when missing)"
    local rc=0
    spmd_psql_admin -v u="$SPMD_PG_USER" -v pw="$SPMD_PG_PASSWORD" -v db="$SPMD_PG_DB" \
        <<'SQL' || rc=$?
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', :'pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0 LC_COLLATE %L LC_CTYPE %L',
              :'db', :'u', 'UTF8', 'C.UTF-8', 'C.UTF-8')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
    if [ "$rc" = 3 ]; then
        spmd_die "cannot connect to $SPMD_PG_DB as $SPMD_PG_USER, and cannot become the postgres user" \
            "Create them as the PostgreSQL superuser, then run this script again:" \
            "  sudo -u postgres psql -c \"CREATE ROLE $SPMD_PG_USER LOGIN PASSWORD '...'\"" \
            "  sudo -u postgres createdb -O $SPMD_PG_USER -E UTF8 -T template0 --locale C.UTF-8 $SPMD_PG_DB"
    fi
    [ "$rc" = 0 ] || spmd_die "creating the role or database failed"
    spmd_db_connects || spmd_die "cannot connect to $SPMD_PG_DB as $SPMD_PG_USER" \
        "Check the password in the URL (role $SPMD_PG_USER existed already?)."
}

# A datastore beside a test database (for the tests of the datastore
# channel): database <db>_ds owned by the same role (the write URL) and a
# read-only role <user>_ds_ro (the read URL), with the permissions that
# `ckan datastore set-permissions` generates. Exports
# CKAN_DATASTORE_WRITE_URL and CKAN_DATASTORE_READ_URL; returns 1 (the
# datastore tests then skip) when this account cannot administer PostgreSQL.
spmd_ensure_datastore() { # spmd_ensure_datastore INI DB_URL
    local urls write read ro ro_password
    urls="$(spmd_py - "$2" <<'EOF'
import shlex, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
user, password = u.unquote(p.username or ""), u.unquote(p.password or "")
db = u.unquote(p.path.strip("/")) + "_ds"
ro = user + "_ds_ro"
netloc = f"{p.hostname or 'localhost'}:{p.port or 5432}"
q = lambda s: u.quote(s, safe="")
print(f"write={shlex.quote(f'postgresql://{q(user)}:{q(password)}@{netloc}/{q(db)}')}")
print(f"read={shlex.quote(f'postgresql://{q(ro)}:{q(password)}@{netloc}/{q(db)}')}")
print(f"ro={shlex.quote(ro)} ro_password={shlex.quote(password)}")
EOF
)" || return 1
    eval "$urls"
    spmd_parse_db_url "$write"
    if ! spmd_db_connects || ! psql -X -q -d "$read" -tAc 'SELECT 1' >/dev/null 2>&1; then
        spmd_log "Creating the datastore database $SPMD_PG_DB and its read-only role $ro"
        spmd_psql_admin -v u="$ro" -v pw="$ro_password" <<'SQL' || return 1
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', :'pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SQL
        ( spmd_ensure_database "$write" ) || return 1
        spmd_parse_db_url "$write"
    fi
    local ini="$SPMD_LOCAL/datastore-permissions.ini"
    mkdir -p "$SPMD_LOCAL"
    cat >"$ini" <<EOF
[app:main]
use = config:$SPMD_ROOT/$1
ckan.plugins = datastore
ckan.datastore.write_url = ${write//%/%%}
ckan.datastore.read_url = ${read//%/%%}
EOF
    spmd_ckan -c "$ini" datastore set-permissions 2>/dev/null |
        PGOPTIONS=--client-min-messages=warning spmd_psql_admin -d "$SPMD_PG_DB" >/dev/null || return 1
    export CKAN_DATASTORE_WRITE_URL="$write" CKAN_DATASTORE_READ_URL="$read"
}

# Prints t when CKAN's tables exist in the database of the URL.
spmd_db_initialised() {
    spmd_parse_db_url "$1"
    psql -X -q -d "$SPMD_PG_URI" -tAc "SELECT to_regclass('public.package') IS NOT NULL" 2>/dev/null
}

# CKAN's core tables (first time) and every migration, plugins' included.
spmd_migrate() { # spmd_migrate INI DB_URL
    if [ "$(spmd_db_initialised "$2")" != t ]; then
        spmd_log "Initialising the database (ckan db init)"
        spmd_ckan -c "$1" db init
    fi
    spmd_log "Applying migrations (ckan db upgrade)"
    spmd_ckan -c "$1" db upgrade
}

# --------------------------------------------------------------- Redis

spmd_ensure_redis() {
    local url="$1" host port
    eval "$(spmd_py - "$url" <<'EOF'
import shlex, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(f"host={shlex.quote(p.hostname or 'localhost')} port={p.port or 6379}")
EOF
)"
    if [ "$(redis-cli -u "$url" ping 2>/dev/null)" = PONG ]; then
        spmd_log "Redis is running ($host:$port)"
        return 0
    fi
    spmd_is_local_host "$host" || spmd_die "Redis at $host:$port does not answer"
    spmd_log "Starting Redis"
    if spmd_is_root && [ "$port" = 6379 ] && [ -x /etc/init.d/redis-server ] &&
        service redis-server start >/dev/null 2>&1 &&
        spmd_wait_for 10 redis-cli -u "$url" ping; then
        return 0
    fi
    mkdir -p "$SPMD_LOCAL/redis"
    redis-server --daemonize yes --port "$port" --bind 127.0.0.1 \
        --dir "$SPMD_LOCAL/redis" --logfile "$SPMD_LOCAL/redis/redis.log" >/dev/null
    spmd_wait_for 20 redis-cli -u "$url" ping || spmd_die "Redis did not start on $host:$port"
}
