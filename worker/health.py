"""`python -m worker health [--within S]`: exit 0 when a worker on this host has beaten
within S seconds (default 15), 1 when none has; the one stdout line is JSON.

A container health check for `worker` containers: one query on the `workers` table by the
database clock. It imports SQLAlchemy only (neither torch nor `storage`), so it costs a
fraction of a second; `__main__` routes `health` here before the full CLI is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_URL = "sqlite:///data/moolab.db"  # storage.db.DEFAULT_URL, kept in step by a test

_AGE = {
    "sqlite": "(julianday('now') - julianday(heartbeat)) * 86400.0",
    "postgresql": "extract(epoch from timezone('UTC', clock_timestamp()) - heartbeat)",
}


def check(url: str, host: str, within: float) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _AGE:
        raise ValueError(f"unsupported database: {backend}")
    if backend == "sqlite" and not Path(parsed.database or "").is_file():
        return {"healthy": False, "host": host, "workers": 0, "reason": "no database file"}
    query = text(f"SELECT count(*) FROM workers WHERE host = :host AND {_AGE[backend]} <= :within")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.execute(query, {"host": host, "within": within}).scalar_one()
    finally:
        engine.dispose()
    return {"healthy": count > 0, "host": host, "workers": int(count)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker health", description=__doc__)
    parser.add_argument("--within", type=float, default=15.0, help="seconds (default 15)")
    parser.add_argument("--host", default=socket.gethostname(), help="default: this host")
    args = parser.parse_args(sys.argv[2:] if argv is None else argv)
    url = os.environ.get("MOO_DATABASE_URL") or DEFAULT_URL
    try:
        result = check(url, args.host, args.within)
    except Exception as error:  # unreachable database, no table yet: unhealthy, said once
        result = {"healthy": False, "host": args.host, "workers": 0, "reason": str(error)[:300]}
    print(json.dumps(result))
    return 0 if result["healthy"] else 1
