"""A throwaway PostgreSQL cluster for the ledger tests.

PostgreSQL refuses to run as root, and CI runs as root: the cluster is then
initialised and started as the unprivileged `postgres` user (Debian's
package creates it) with `runuser`. It listens on a loopback port only and
is removed at the end of the session.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """A database URL, or None when PostgreSQL is not installed."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        yield None
        return
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="xlcrm-pg-"))
    data = base / "data"
    if as_user:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
    port = _free_port()

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "xlcrm", "--auth=trust",
           "-E", "UTF8", "--locale=C")
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
           "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {base}", "start")
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "xlcrm", "ledger")
        yield f"postgresql+psycopg://xlcrm@127.0.0.1:{port}/ledger"
    finally:
        with contextlib.suppress(Exception):
            pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)
