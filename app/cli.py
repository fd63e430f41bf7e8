"""``schedule-explorer``: serve the API and dashboard with uvicorn."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host/--port/--workers`` and run ``uvicorn app.main:app``."""
    parser = argparse.ArgumentParser(description="Serve Schedule Explorer (API + dashboard).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    import uvicorn

    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
