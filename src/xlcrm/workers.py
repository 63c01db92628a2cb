"""The processes a large run starts beside its own: the loader of its ledger transaction and
the writers of its detail workbooks.

They are forked from a server (multiprocessing's forkserver) that has imported only what
they need: a fork of the run's own process would carry its million rows along, and
count them again in the memory of every child.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

PRELOAD = ["xlcrm.loading", "xlcrm.write.details"]


def context() -> BaseContext:
    """The forkserver context (spawn where there is none, as on Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver
