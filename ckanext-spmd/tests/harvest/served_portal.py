"""Our portal served on a free local port, over its own database, for the
harvest tests: a second CKAN (the test process) harvests it for real.

The database is the test database's name + ``_src``, created (owned by the
test database's user) when missing, as scripts/test.sh creates the test one.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[3]
CKAN = str(Path(sys.executable).with_name("ckan"))
HERE = Path(__file__).resolve().parent


def source_database_url(test_url: str) -> str:
    url = make_url(test_url)
    return url.set(database=f"{url.database}_src").render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return
    except sa.exc.OperationalError as e:
        if "does not exist" not in str(e):
            raise
    finally:
        engine.dispose()
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-c",
         f'CREATE DATABASE "{parsed.database}" OWNER "{parsed.username}"'],
        check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_ini(path: Path, db_url: str, port: int, plugins: str, redis_url: str,
              storage: Path) -> Path:
    path.write_text(f"""[DEFAULT]
debug = false

[app:main]
use = config:{REPO / 'test.ini'}
ckan.site_id = spmd-interop-src
ckan.site_url = http://127.0.0.1:{port}
sqlalchemy.url = {db_url}
ckan.redis.url = {redis_url}
ckan.storage_path = {storage}
ckan.plugins = {plugins}
ckanext.dcat.rdf.profiles = euro_dcat_ap_3 spmd_dcat_ap

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
""")
    return path


def ckan(ini: Path, *args: str) -> str:
    # The served portal's own environment: none of the test's overrides.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    done = subprocess.run([CKAN, "-c", str(ini), *args], capture_output=True, text=True,
                          env=env, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"ckan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def served(ini: Path, port: int, timeout: float = 60) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    process = subprocess.Popen(
        [CKAN, "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port), "-r", "-D", "-t"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{base}/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the served portal did not start: "
                                   f"{process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def load_content(ini: Path) -> dict[str, list[str]]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    done = subprocess.run([sys.executable, str(HERE / "portal_content.py"), str(ini)],
                          capture_output=True, text=True, env=env, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"portal content failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
