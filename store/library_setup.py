"""Process-wide settings of the libraries under the store, made before they are first used.

SQLite. Python's sqlite3 module exposes no `sqlite3_config`, and SQLite accepts it only while the
library is not initialised; the module initialises it on import. So the first import of
sqlite3 in a process goes through here (the store package imports this module before any
of its modules imports Peewee or sqlite3): nothing can be open yet, so the library is shut
down, configured and initialised again, through the very library the sqlite3 module links
to. A process that imported sqlite3 earlier (a test runner, a host application) keeps the
defaults: nothing is changed under connections that may be open.

NumPy (the search index's text is built with it). Its OpenBLAS starts a thread per CPU that
spins waiting for matrix work, which hudang never gives it; on a two-CPU server those
threads took CPU from the import's own two threads (a customer import's rate varied from
45k to 57k rows/s by whether they ran). They are limited to one, unless this process
imported NumPy already or the environment says otherwise.
"""

from __future__ import annotations

import os
import sys

SQLITE_CONFIG_MEMSTATUS = 9

# Whether this process runs SQLite with its memory statistics off (see `configure`).
memory_statistics_off = False


def configure() -> bool:
    """Turn SQLite's memory statistics off, if sqlite3 is not imported yet; True when done.

    With statistics on (SQLite's default) every allocation SQLite makes takes one
    process-wide mutex to count it. A bulk load runs SQLite in two threads at once (the
    archive connection writing, a staging database being filled: `bulk.load_staged`), and
    the two queued on that mutex: a customer import into 2 million customers ran at 43-46k
    rows/s with it and 54-57k without (docs/csv-import.md). Only `sqlite3_memory_used`,
    `sqlite3_status` and the heap limits depend on the statistics; hudang uses none.
    """
    global memory_statistics_off
    if "_sqlite3" in sys.modules:
        return memory_statistics_off
    import ctypes

    import _sqlite3  # initialises the library

    try:
        library = ctypes.CDLL(_sqlite3.__file__)  # its own symbols, or its libsqlite3's
        shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        initialise = library.sqlite3_initialize
    except (OSError, AttributeError):  # a build that does not export them
        return False
    if shutdown() != 0:
        return False
    done = config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    initialise()
    memory_statistics_off = done
    return done


def single_threaded_blas() -> None:
    """One OpenBLAS thread (no spinning helpers), if NumPy is not imported yet."""
    if "numpy" not in sys.modules:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(name, "1")
