"""A throw-away PostgreSQL server for the store tests, when CI has not started one.

Finds ``initdb``/``pg_ctl`` (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin), initialises a cluster in a
temporary directory owned by the ``postgres`` user (PostgreSQL refuses to run as root), starts it on a
free loopback port with durability switched off (a test server), creates the database and stops the
server again at the end. Standard library only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATABASE = "epizone_test"


class ServerUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path | None:
    candidates = [shutil.which("initdb"), "/usr/local/bin/initdb",
                  *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            path = Path(candidate).resolve().parent
            if (path / "pg_ctl").exists():
                return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    bin_dir: Path
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ServerUnavailable(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> Server:
    """Start a temporary server, or raise ServerUnavailable saying why not."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise ServerUnavailable(
            "PostgreSQL is needed for the store tests: set EPIZONE_TEST_POSTGRES_URL to a test database, or "
            "install the server (Debian: apt-get install postgresql-15) so that initdb and pg_ctl are found")
    root = Path(tempfile.mkdtemp(prefix="epizone-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = Server(bin_dir, root, free_port())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


if __name__ == "__main__":  # for a developer: start one and print its URL (stop with pg_ctl -D <root>/data stop)
    started = start_server()
    print(f"EPIZONE_TEST_POSTGRES_URL={started.url}  # data in {started.root}")
