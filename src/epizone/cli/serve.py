"""``epizone serve``: the service on the store (its libraries load when the command runs)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from epizone.cli.common import Commands, err, fail

app = Commands()


@app.command()
def serve(
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $EPIZONE_DATABASE_URL, "
                                                            "else sqlite:///epizone.db)")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8000,
    public_read: Annotated[bool, typer.Option("--public-read", help="Anyone may read published levels and "
                                                                    "announcements without a token")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Serve the bundled Fujian demo (built in out/demo-store "
                                                      "on first use), with public read on")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (uvicorn); they share "
                                                                   "nothing but the store")] = 1,
) -> None:
    """Start the service on the store (FastAPI on uvicorn): dashboard at /, API under /api/v1, docs at /docs."""
    try:
        from epizone.api.serve import serve as run_service
    except ImportError as exc:
        fail(f"the service needs its optional dependencies: pip install 'epizone[api]' ({exc})")
    run_service(db, host, port, public_read, demo, log=err, workers=workers)
