"""Drives sockspec's Socket.IO server with python-socketio's synchronous client.

Run by python_test.go (same directory), which starts the Go server and runs:

    /usr/bin/python3 client.py URL MODE

MODE is "websocket", "polling" or "upgrade" (polling upgraded to websocket).
The script asserts nothing itself: it prints one JSON object per line,
{"step": name, "value": ..., "ms": since start} for what it observed or {"step": name, "error":
...} when a step raised, and the Go test compares them with what it expects
and with what the server saw. bytes are printed as {"$bytes": "<hex>"}.
"""

import json
import sys
import threading
import time
import traceback

import socketio

WAIT = 5  # seconds to wait for any one event from the server
START = time.monotonic()

TRANSPORTS = {
    "websocket": ["websocket"],
    "polling": ["polling"],
    "upgrade": ["polling", "websocket"],
}


def plain(v):
    """Makes v printable as JSON, bytes included."""
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


PRINT = threading.Lock()


def emit(step, value=None, error=None):
    line = {"step": step, "ms": round((time.monotonic() - START) * 1000)}
    if error is not None:
        line["error"] = error
    else:
        line["value"] = plain(value)
    with PRINT:
        print(json.dumps(line), flush=True)


class Seen:
    """What one client received: the arguments of each event, and a
    threading.Event per name to wait on. python-engineio 4.3 runs every
    received message on its own thread, hence the lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.args = {}
        self.events = {}

    def _event(self, name):
        with self.lock:
            return self.events.setdefault(name, threading.Event())

    def add(self, name, args):
        with self.lock:
            self.args.setdefault(name, []).append(list(args))
        self._event(name).set()

    def wait(self, name):
        if not self._event(name).wait(WAIT):
            raise TimeoutError("no %r within %ss" % (name, WAIT))
        with self.lock:
            return self.args[name][0]

    def count(self, name):
        with self.lock:
            return len(self.args.get(name, []))


def new_client(seen):
    c = socketio.Client(reconnection=False)

    def record(name, answer=None):
        def handler(*args):
            seen.add(name, args)
            return answer(*args) if answer else None
        c.on(name, handler)

    # The server's EmitWithAck: the handler's return value is the ack, a
    # tuple being several arguments.
    record("question", answer=lambda n, s: (n * 2, s.upper()))
    record("question-bin", answer=lambda b: bytes(reversed(b)))
    record("question-void")  # returns None: an ack without arguments
    for name in ("bin-back", "shout", "news"):
        record(name)
    c.on("disconnect", lambda: seen.add("disconnect", ()))
    c.on("disconnect", lambda: seen.add("disconnect/custom", ()),
         namespace="/custom")
    c.on("auth", lambda *a: seen.add("auth", a), namespace="/custom")
    return c


def step(name, fn):
    try:
        emit(name, fn())
    except Exception as e:  # the Go test reports it; go on with the others
        emit(name, error="%s: %s\n%s" % (type(e).__name__, e,
                                         traceback.format_exc()))


def connect_error(url, transports, namespace, auth):
    """Connects a fresh client to a namespace the server refuses and returns
    the exception raised and what the connect_error handler received."""
    seen = Seen()
    c = socketio.Client(reconnection=False)
    c.on("connect_error", lambda *a: seen.add("connect_error", a),
         namespace=namespace)
    try:
        c.connect(url, transports=transports, namespaces=[namespace],
                  auth=auth, socketio_path="socket.io")
    except socketio.exceptions.ConnectionError as e:
        return {"exception": type(e).__name__, "message": str(e),
                "handler": seen.wait("connect_error"),
                "connected": c.connected}
    finally:
        c.disconnect()
    return {"exception": None}


def main():
    url, mode = sys.argv[1], sys.argv[2]
    transports = TRANSPORTS[mode]
    emit("versions", {"python-socketio": version("python-socketio"),
                      "python-engineio": version("python-engineio")})

    a_seen, b_seen, c_seen = Seen(), Seen(), Seen()
    a, b, c = new_client(a_seen), new_client(b_seen), new_client(c_seen)

    def connect_a():
        # One Engine.IO session, two namespaces: the auth goes to both.
        a.connect(url, transports=transports, namespaces=["/", "/custom"],
                  auth={"token": "s3cret", "user": "py-A"},
                  socketio_path="socket.io")
        return {"connected": a.connected, "transport": a.transport(),
                "sid": a.get_sid("/"), "sid/custom": a.get_sid("/custom")}
    step("connect", connect_a)
    step("auth-event", lambda: a_seen.wait("auth"))
    step("whoami", lambda: a.call("whoami", namespace="/custom",
                                  timeout=WAIT))

    # Client -> server, with and without ack. A tuple is several arguments.
    step("echo-call", lambda: a.call(
        "echo", ("a", 1, 2.5, True, None, [1, "x"], {"k": "v"}),
        timeout=WAIT))

    def echo_callback():
        got = Seen()
        a.emit("echo", "single", callback=lambda *r: got.add("ack", r))
        return got.wait("ack")
    step("echo-callback", echo_callback)
    # No arguments either way: call() returns None for an empty ack.
    step("echo-empty", lambda: a.call("echo", timeout=WAIT))
    # No ack asked: the server records it; the call after it is answered
    # only once the note was handled (one socket's events run in order).
    step("note", lambda: a.emit("note", ("hello", 42, {"deep": [1, 2]})))
    step("notes-seen", lambda: a.call("notes", timeout=WAIT))

    # Binary both ways: arguments, ack, and a server emit with several
    # attachments.
    step("bin-call", lambda: a.call("bin", (b"\x00\x01\xfe\xff", "label"),
                                    timeout=WAIT))
    step("bin-back", lambda: a_seen.wait("bin-back"))

    # Server -> client EmitWithAck, answered by the handlers of new_client.
    step("ask-client", lambda: a.call("ask-client", timeout=WAIT))
    step("question-args", lambda: a_seen.wait("question"))
    step("ask-client-bin", lambda: a.call("ask-client-bin", timeout=WAIT))
    step("ask-client-void", lambda: a.call("ask-client-void", timeout=WAIT))

    # Rooms: A and B join room1, C does not. A's shout goes to the room
    # except A; the news that follows goes to the whole room, A included,
    # so once A has it, a shout sent to A would have arrived as well.
    def connect_other(client, user):
        client.connect(url, transports=transports, namespaces=["/"],
                       auth={"user": user}, socketio_path="socket.io")
        return client.get_sid("/")
    step("connect-b", lambda: connect_other(b, "py-B"))
    step("connect-c", lambda: connect_other(c, "py-C"))
    step("join-a", lambda: a.call("join", "room1", timeout=WAIT))
    step("join-b", lambda: b.call("join", "room1", timeout=WAIT))
    step("shout", lambda: a.call("shout", ("room1", "hi from A"),
                                 timeout=WAIT))
    step("shout-b", lambda: b_seen.wait("shout"))
    step("news", lambda: a.call("news-trigger", ("room1", "all"),
                                timeout=WAIT))
    step("news-a", lambda: a_seen.wait("news"))
    step("news-b", lambda: b_seen.wait("news"))
    # C is sent nothing at all: its echo answers only after anything queued
    # for it before.
    step("echo-c", lambda: c.call("echo", "c", timeout=WAIT))
    step("counts", lambda: {
        "a-shout": a_seen.count("shout"), "b-shout": b_seen.count("shout"),
        "c-shout": c_seen.count("shout"), "c-news": c_seen.count("news")})

    # CONNECT_ERROR: an unknown namespace, and the middleware's refusal.
    # Concurrently, because each takes a second: python-socketio's
    # connect() waits wait_timeout (1s) for the refused namespace after the
    # refusal has arrived.
    refusals = [
        threading.Thread(target=step, args=(
            "connect-error-namespace",
            lambda: connect_error(url, transports, "/nope", None))),
        threading.Thread(target=step, args=(
            "connect-error-middleware",
            lambda: connect_error(url, transports, "/custom",
                                  {"token": "wrong"}))),
    ]
    for th in refusals:
        th.start()
    for th in refusals:
        th.join()

    # Server-side disconnect: of one namespace of A (its "/" stays usable),
    # and of B's only namespace (B is then disconnected).
    def kick_custom():
        a.emit("kick-me", namespace="/custom")
        a_seen.wait("disconnect/custom")
        return {"a-connected": a.connected, "namespaces": sorted(a.namespaces),
                "echo": a.call("echo", "still here", timeout=WAIT)}
    step("kick-custom", kick_custom)

    def kick_b():
        b.emit("kick-me")
        b_seen.wait("disconnect")
        return {"b-connected": b.connected,
                "a-disconnect": a_seen.count("disconnect")}
    step("kick-b", kick_b)

    for client in (a, b, c):
        client.disconnect()
    emit("done", True)


def version(dist):
    try:
        from importlib.metadata import version as v
        return v(dist)
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
