"""check's result cache: one SQLite file in the cache folder, entries by key.

One file, not a file per skill: creating thousands of small files can be the slow part of
a cold run (about 0.4 ms a file on the 2-core machines this project is benchmarked on),
while SQLite appends the entries to one write-ahead log. SQLite also serialises writers,
so checks running at once (pre-commit batches, a marketplace job) share the folder
safely. A cache never fails a lint: a lock it cannot wait out skips one entry, a damaged
file is replaced, any other error turns the cache off for the process, and a missing
entry is linted again.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

FILE_NAME = "check.sqlite3"
BUSY_SECONDS = 10.0  # how long a write waits for another process's write to finish
_INHERITED: list[sqlite3.Connection] = []


class ResultCache:
    """Text payloads by key. Each process opens its own connection on first use: a SQLite
    connection must not cross a fork, and the pool's workers are forked."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._broken = False

    def get(self, key: str) -> str | None:
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT payload FROM entry WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None  # locked for longer than BUSY_SECONDS, say: this entry only
        except sqlite3.Error:
            self._give_up()
            return None
        return row[0] if row else None

    def put(self, key: str, payload: str) -> None:
        connection = self._connect()
        if connection is None:
            return
        try:
            connection.execute("INSERT OR REPLACE INTO entry (key, payload) VALUES (?, ?)", (key, payload))
        except sqlite3.OperationalError:
            pass  # locked, read-only, disk full: this entry is linted again next time
        except sqlite3.Error:
            self._give_up()

    def prepare(self) -> None:
        """Create the file and its table now, in this process: workers that open a new file
        together would race to create it, and the loser would find it locked."""
        self._connect()
        self.close()

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def __getstate__(self) -> dict:
        # A worker gets the folder, not the parent's connection.
        return {"folder": self.folder}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["folder"])

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        if self._connection is not None:
            # Inherited through a fork, it belongs to the parent: never use it, and never
            # let it be closed here (closing runs a checkpoint on the parent's files).
            _INHERITED.append(self._connection)
            self._connection = None
        try:
            _make_folder(self.folder)
            try:
                connection = self._open()
            except sqlite3.OperationalError:
                raise  # locked, read-only, out of space: not the file's fault
            except sqlite3.DatabaseError:  # not a database (damaged): start it again
                for suffix in ("", "-wal", "-shm"):
                    (self.folder / (FILE_NAME + suffix)).unlink(missing_ok=True)
                connection = self._open()
        except (OSError, sqlite3.Error):
            self._broken = True
            return None
        self._connection, self._pid = connection, os.getpid()
        return connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.folder / FILE_NAME, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            # WAL: readers do not block the writer and a commit is an append, not a sync;
            # a crash loses at most the last entries, which are linted again.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, payload TEXT NOT NULL) WITHOUT ROWID")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _give_up(self) -> None:
        self.close()
        self._broken = True


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    # Like .ruff_cache: the cache keeps itself out of git and out of backups.
    (folder / ".gitignore").write_text("# Created by skillreducer\n*\n", encoding="utf-8")
    (folder / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# skillreducer cache\n", encoding="utf-8")
