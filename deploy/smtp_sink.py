"""The rehearsal's mail server: a real SMTP server (aiosmtpd) that keeps every message it receives.

Each message is written to ``<directory>/<sequence>.eml`` (the raw bytes, as received), first to a
temporary name and then renamed, so a reader never sees half a message. Run as its own process::

    python deploy/smtp_sink.py --port 8025 --directory /tmp/mail

It runs until it gets SIGTERM or SIGINT.
"""

import argparse
import itertools
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class StoreMessages:
    """aiosmtpd handler: accept every message and store it as one file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sequence = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        with self.lock:
            number = next(self.sequence)
        final = self.directory / f"{number:06d}.eml"
        partial = self.directory / f".{number:06d}.tmp"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, final)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(StoreMessages(args.directory), hostname=args.host, port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"smtp_sink: listening on {args.host}:{args.port}, storing in {args.directory}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
