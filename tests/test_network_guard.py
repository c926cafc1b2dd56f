import socket

import pytest


def test_non_loopback_connections_are_refused():
    s = socket.socket()
    with pytest.raises(OSError, match="loopback"):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed anyway
    s.close()


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket()
    client.connect(server.getsockname())
    client.close()
    server.close()


def test_subprocesses_are_guarded_too():
    import subprocess
    import sys
    code = "import socket; socket.socket().connect(('192.0.2.1', 80))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "loopback" in out.stderr
