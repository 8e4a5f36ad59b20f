"""The REST service: a FastAPI app on the store (``create_app``), run by ``epizone serve``.

Thin: every route checks access (``deps``), calls the store's functions and shapes the answer
(``schemas``, ``render``). Nothing here knows SQL beyond the paged reads in ``routes``.
"""
