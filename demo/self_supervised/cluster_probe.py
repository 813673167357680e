"""Loopback ports and peer reachability, without TensorFlow (the peer watcher imports this)."""

import socket
import time


def free_ports(count):
    """`count` distinct free TCP ports on 127.0.0.1."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def unreachable(addresses, deadline):
    """Those of `addresses` ("host:port") that accepted no TCP connection before `deadline`
    (a `time.monotonic()` value)."""
    waiting = list(addresses)
    while waiting and time.monotonic() < deadline:
        for address in list(waiting):
            host, _, port = address.rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=1.0):
                    waiting.remove(address)
            except OSError:
                pass
        if waiting:
            time.sleep(0.2)
    return waiting
