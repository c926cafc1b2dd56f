"""Refuse sockets to anything but loopback, in this process.

Imported by tests/conftest.py for the pytest process, and by the
sitecustomize.py beside it for every Python process the tests start (the CLI
in subprocesses), through PYTHONPATH.
"""
import ipaddress
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def check(address) -> None:
    if isinstance(address, tuple):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise OSError(f"tests may only connect to loopback, not {host!r}")


def _connect(self, address):
    check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    check(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
