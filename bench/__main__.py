"""`make bench`: build the bench database, then measure SIGAP on it.

    python -m bench [--cases N] [--database-url URL] [--skip-build] [--runs K]

--skip-build measures the database as bench.load.build left it (bench/fixture.json says what is
in it). bench/measure.py says what is measured and how.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import measure

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sigap_bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="synthetic cases to build (200000)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help=f"the bench database, dropped and rebuilt unless --skip-build ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--skip-build", action="store_true", help="measure the database as it is")
    parser.add_argument("--runs", type=int, default=15, help="measured runs per page, after 2 warm-ups (15)")
    parser.add_argument("--port", type=int, default=measure.DEFAULT_PORT, help="gunicorn's port (8731)")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL") or measure.DEFAULT_REDIS, help="(DB 13)"
    )
    parser.add_argument("--only", nargs="*", help="measure only these pages (by name)")
    parser.add_argument("--no-jobs", action="store_true", help="pages only")
    parser.add_argument(
        "--fixture", default=str(measure.FIXTURE), help="what the build left (bench/fixture.json)"
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("bench: --database-url must name a PostgreSQL database", file=sys.stderr)
        return 2
    if not args.skip_build:
        from . import load

        load.build(args.database_url, args.cases, fixture_path=Path(args.fixture))
    if not Path(args.fixture).exists():
        print(
            f"bench: no {args.fixture}: build the database first (without --skip-build)",
            file=sys.stderr,
        )
        return 2
    try:
        measure.run(
            args.database_url,
            runs=args.runs,
            port=args.port,
            redis_url=args.redis_url,
            only=args.only,
            jobs=not args.no_jobs,
            fixture_path=Path(args.fixture),
        )
    except measure.BenchFailed as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
