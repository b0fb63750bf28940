"""A TCP proxy between the operator and the API server, to drop its connections (watch streams included) and
refuse new ones for a while: the network fault a watch must survive. Bytes are relayed as they are (TLS goes
through end to end); each connection has two relaying threads."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Listens on a free loopback port (``port``) and relays each connection to ``upstream``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.connections: set[socket.socket] = set()
        self.accepted = 0
        self.refused = 0  # connections closed at once while down
        self.lock = threading.Lock()
        self.refusing = threading.Event()
        self.closed = threading.Event()
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    def open_connections(self) -> int:
        with self.lock:
            return len(self.connections) // 2

    def cut(self) -> None:
        """Drop every open connection (both sides see it closed)."""
        with self.lock:
            connections, self.connections = self.connections, set()
        for sock in connections:
            _close(sock)

    def down(self) -> None:
        """Drop every connection and refuse new ones (accepted and closed at once) until ``up``."""
        self.refusing.set()
        self.cut()

    def up(self) -> None:
        self.refusing.clear()

    def stop(self) -> None:
        self.closed.set()
        _close(self.listener)
        self.cut()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing.is_set():
                _close(client)
                self.refused += 1
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self.lock:
                self.connections |= {client, server}
                self.accepted += 1
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), name="proxy-pump", daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.connections -= {source, sink}
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
