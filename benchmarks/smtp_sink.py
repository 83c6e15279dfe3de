"""A local SMTP sink in its own process, as a real mail server would be: it accepts every
message and counts them. The benchmark writes "count" on its standard input and reads back
"<messages> <bytes>".

Run: python benchmarks/smtp_sink.py PORT
"""

from __future__ import annotations

import sys
from typing import Any

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 OK"


def main() -> int:
    port = int(sys.argv[1])
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "count":
                print(counter.messages, counter.bytes, flush=True)
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
