"""Our portal served on a free local port, over its own database, for the
harvest tests: a second CKAN (the test process) harvests it for real.

The database is the test database's name + ``_src``, created (owned by the
test database's user) when missing, as scripts/test.sh creates the test one.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[3]
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


@contextlib.contextmanager
def served(ini: Path, port: int, timeout: float = 180) -> Iterator[tuple[str, dict[str, Any]]]:
    """A clean database with the content of ``portal_content.py``, served on
    ``port`` by the same process: yields the base URL and the names created."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    process = subprocess.Popen(
        [sys.executable, str(HERE / "portal_content.py"), str(ini), str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        output = []  # CKAN's db commands print first; the content line is JSON
        while not (line := process.stdout.readline()).startswith("{"):
            output.append(line)
            if not line:
                process.kill()
                raise RuntimeError(f"the served portal did not load: {''.join(output)}"
                                   f"{process.stderr.read() if process.stderr else ''}")
        content = json.loads(line)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{base}/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the served portal did not start: "
                                   f"{process.stderr.read() if process.stderr else ''}")
            time.sleep(0.3)
        yield base, content
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
