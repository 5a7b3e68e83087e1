"""``python -m deploy --replicas 2 --port 8080 [--host 0.0.0.0]``: the app for a class, until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from deploy import MAX_REPLICAS, Deployment


def _interrupt(signum, frame) -> None:
    """SIGTERM (docker stop, systemd) ends the replicas and nginx as Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.splitlines()[0].strip("`"))
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help=f"Streamlit processes (1–{MAX_REPLICAS}; see the README for how many a core serves)",
    )
    parser.add_argument("--port", type=int, default=8080, help="port nginx listens on (default 8080)")
    parser.add_argument("--host", default="0.0.0.0", help="address nginx listens on (default all: 0.0.0.0)")
    parser.add_argument("--prefix", type=Path, help="nginx's working directory (default: a new temporary one)")
    args = parser.parse_args(argv)
    try:
        deployment = Deployment(args.replicas, args.port, args.host, args.prefix)
    except ValueError as exc:
        parser.error(str(exc))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        deployment.start()
        print(
            f"serving {args.replicas} replicas at {deployment.url} (nginx files in {deployment.prefix}); Ctrl-C stops",
            flush=True,
        )
        while all(p.poll() is None for p in deployment.processes):
            time.sleep(1.0)
        print(f"a replica or nginx exited; stopping (logs in {deployment.prefix / 'logs'})", file=sys.stderr)
        return 1
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
