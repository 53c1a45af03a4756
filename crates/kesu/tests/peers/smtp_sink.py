#!/usr/bin/env python3
"""A real SMTP server for kesu's tests (aiosmtpd): every message it receives is written,
as received, to DIR/<n>.eml. Prints "listening <port>" once ready.

    smtp_sink.py DIR [PORT]
"""
import asyncio
import os
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.folder, f"{self.count:05d}.eml")
        with open(path + ".part", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.replace(path + ".part", path)
        return "250 OK"


def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    controller = Controller(Keep(folder), hostname="127.0.0.1", port=port or 8025)
    if port == 0:
        # aiosmtpd needs a port: take a free one.
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        controller.port = s.getsockname()[1]
        s.close()
    controller.start()
    print(f"listening {controller.port}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
