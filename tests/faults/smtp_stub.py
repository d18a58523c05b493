"""A mail server for the fault tests: it answers the SMTP dialogue, and refuses every
message with a temporary error (451) until told to accept; it keeps what it accepted."""

import socketserver
import threading
import time


class SmtpStub(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.port = self.server_address[1]
        self.refusing = True
        self.refused_at: list[float] = []  # when each refused attempt came
        self.accepted: list[str] = []  # the messages accepted, as received
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        server: SmtpStub = self.server
        self.reply("220 stub.example.org ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 stub.example.org")
            elif command.startswith("MAIL FROM"):
                if server.refusing:
                    with server.lock:
                        server.refused_at.append(time.monotonic())
                    self.reply("451 4.3.0 Mail server temporarily unavailable")
                else:
                    self.reply("250 OK")
            elif command.startswith("RCPT TO"):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode(errors="replace"))
                with server.lock:
                    server.accepted.append("".join(data))
                self.reply("250 OK queued")
            elif command == "RSET" or command == "NOOP":
                self.reply("250 OK")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")
