"""A TCP proxy for tests that can cut every connection through it, as a crashing server or a network would."""

from __future__ import annotations

import socket
import struct
import threading

from tests.support.servers import free_port


class CuttingProxy:
    """Forward 127.0.0.1:port to a server's port; `cut()` drops every open connection."""

    def __init__(self, upstream_port: int, port: int | None = None) -> None:
        self.upstream_port = upstream_port
        self.port = port or free_port()  # a port given: the proxy back where it was, after close()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()  # the server is down: the browser sees a failed connection
                continue
            server.settimeout(None)
            pair = (client, server)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, server, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, pair), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, pair: tuple[socket.socket, socket.socket]) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass  # the other side or a cut closed it
        self._drop(pair, reset=False)

    def _drop(self, pair: tuple[socket.socket, socket.socket], reset: bool) -> bool:
        with self._lock:
            if pair not in self._pairs:
                return False
            self._pairs.discard(pair)
        for sock in pair:
            try:
                if reset:  # close() then sends RST instead of FIN
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # shutdown wakes the pump thread blocked in recv(); close() alone would not, and the
                # socket would live on until it returned.
                sock.shutdown(socket.SHUT_RD if reset else socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
            sock.close()
        return True

    def cut(self, reset: bool) -> int:
        """Drop every open connection, by RST (`reset`) or by FIN mid-response; return how many."""
        with self._lock:
            pairs = list(self._pairs)
        return sum(self._drop(pair, reset) for pair in pairs)

    def close(self) -> None:
        """Stop listening and drop everything."""
        self._listener.close()
        self.cut(reset=True)
