"""``python -m epizone.cli``: the ``epizone`` command."""

from epizone.cli.root import main

main()
