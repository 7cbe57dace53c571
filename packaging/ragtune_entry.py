"""The bundled app's entry point (PyInstaller runs this file as ``__main__``).

``multiprocessing.freeze_support()`` comes first: the parser pool and the model checker start
children with the "spawn" method, which in a frozen app re-runs this executable; freeze_support
turns such a start into the child's work instead of a second window.
"""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()
    from ragtune.__main__ import main as ragtune_main

    return ragtune_main()


if __name__ == "__main__":
    sys.exit(main())
