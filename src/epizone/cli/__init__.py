"""The command line: ``epizone ...`` (a Typer app; ``main`` is the console script).

``common`` holds what every command shares (consoles, ``attempt``, dates, options) and ``store`` opens the store
for ``db`` and ``ops``. One module per area: ``engine`` (assess, explain, demo, conformance, rules), ``db`` and
``db_service`` (the store), ``ops`` (operations), ``serve`` (the service); ``render`` and ``ops_render`` print
the answers; ``root`` puts them together.
"""

from epizone.cli.root import app, main

__all__ = ["app", "main"]
