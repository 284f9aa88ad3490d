// End-to-end tests of sockspec's Socket.IO server with the real socket.io-client.
//
// Run by e2e/core_test.go, which starts the Go server described there and sets:
//   SIO_URL           base URL of the server, e.g. http://127.0.0.1:41234
//   SIO_RECOVERY_URL  the same server with connection state recovery enabled
//   SIO_TRANSPORT     "websocket", "polling" or "upgrade" (polling upgraded to websocket)
"use strict";

const { test, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");

const URL = process.env.SIO_URL;
const RECOVERY_URL = process.env.SIO_RECOVERY_URL;
const MODE = process.env.SIO_TRANSPORT || "websocket";
if (!URL || !RECOVERY_URL) throw new Error("SIO_URL and SIO_RECOVERY_URL must be set");

const transportOpts = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"] },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
}[MODE];
if (!transportOpts) throw new Error(`unknown SIO_TRANSPORT ${MODE}`);

const open = new Set();

function connect(nsp = "/", opts = {}, base = URL) {
  const s = io(base + nsp, { forceNew: true, reconnection: false, ...transportOpts, ...opts });
  open.add(s);
  return s;
}

function once(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for "${event}"`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

async function connected(nsp, opts, base) {
  const s = connect(nsp, opts, base);
  await once(s, "connect");
  if (MODE === "upgrade") await waitUpgrade(s);
  return s;
}

// In upgrade mode every test runs after the transport switched to websocket, so the
// upgrade path is what carries the traffic.
async function waitUpgrade(s) {
  const engine = s.io.engine;
  if (engine.transport.name === "websocket") return;
  await once(engine, "upgrade", 5000);
  assert.equal(engine.transport.name, "websocket");
}

async function until(fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

after(() => {
  for (const s of open) s.disconnect();
});

test("connects to the main namespace and gets a socket id", async () => {
  const s = await connected("/");
  assert.ok(s.id && s.id.length > 0);
  assert.equal(s.connected, true);
  assert.equal(s.io.engine.transport.name, MODE === "polling" ? "polling" : "websocket");
});

test("emit with ack, several arguments of every JSON type", async () => {
  const s = await connected("/");
  const args = ["a", 1, 2.5, true, null, { nested: { x: [1, 2] } }, [3, 4]];
  const got = await s.timeout(3000).emitWithAck("echo", ...args);
  // emitWithAck resolves with the first ack argument; ask for all of them through a callback.
  assert.equal(got, "a");
  const all = await new Promise((resolve) => s.emit("echo", ...args, (...acked) => resolve(acked)));
  assert.deepEqual(all, args);
});

test("emit without ack, server emits back", async () => {
  const s = await connected("/");
  const back = once(s, "echo-back");
  s.emit("echo-emit", "hello", 42);
  assert.deepEqual(await back, ["hello", 42]);
});

test("server emits with ack and the client acks", async () => {
  const s = await connected("/");
  s.on("question", (n, cb) => cb(n * 2, "ok"));
  const res = await s.timeout(3000).emitWithAck("ask-client", 1000);
  assert.deepEqual(res, { answer: [42, "ok"] });
});

test("server ack timeout when the client never acks", async () => {
  const s = await connected("/");
  s.on("question", () => {}); // never acks
  const res = await s.timeout(3000).emitWithAck("ask-client", 150);
  assert.deepEqual(res, { error: "timeout" });
});

test("binary both ways", async () => {
  const s = await connected("/");
  const payload = Buffer.from([0, 1, 2, 3, 254, 255]);
  const acked = await new Promise((resolve) =>
    s.emit("bin", payload, { label: "x", inner: Buffer.from("inner") }, (...a) => resolve(a)),
  );
  assert.equal(acked.length, 3);
  assert.ok(Buffer.isBuffer(acked[0]), "first ack arg is a Buffer");
  assert.deepEqual([...acked[0]], [...payload]);
  assert.deepEqual(Buffer.from(acked[1].inner).toString(), "inner");
  assert.equal(acked[1].label, "x");
  assert.deepEqual(Buffer.from(acked[2]).toString(), "pong");
});

test("rooms and broadcast exclude the sender", async () => {
  const [a, b, c] = await Promise.all([connected("/"), connected("/"), connected("/")]);
  assert.equal(await a.timeout(3000).emitWithAck("join", "r1"), true);
  assert.equal(await b.timeout(3000).emitWithAck("join", "r1"), true);
  let cGot = false;
  let aGot = false;
  c.on("shout", () => (cGot = true));
  a.on("shout", () => (aGot = true));
  const bGets = once(b, "shout");
  assert.equal(await a.timeout(3000).emitWithAck("shout", "r1", "hi room"), true);
  assert.deepEqual(await bGets, ["hi room"]);
  // A round trip on each socket guarantees any wrongly sent shout would have arrived.
  await a.timeout(3000).emitWithAck("echo", 1);
  await c.timeout(3000).emitWithAck("echo", 1);
  assert.equal(aGot, false, "sender must not receive its own broadcast");
  assert.equal(cGot, false, "socket outside the room must not receive it");
});

test("broadcast with ack: answers from the clients that ack, timeout for the one that does not", async () => {
  const [a, b, c] = await Promise.all([connected("/"), connected("/"), connected("/")]);
  for (const s of [a, b, c]) assert.equal(await s.timeout(3000).emitWithAck("join", "poll-room"), true);
  const polled = [];
  const answer = (s, colour) =>
    s.on("poll", (question, bin, cb) => {
      polled.push(s.id);
      assert.equal(question, "favourite colour?");
      assert.deepEqual([...Buffer.from(bin)], [7, 8]);
      cb(colour);
    });
  answer(a, "blue");
  answer(b, "green");
  let lateAck;
  c.on("poll", (question, bin, cb) => {
    polled.push(c.id);
    lateAck = cb; // never answered in time
  });
  const started = Date.now();
  const res = await a.timeout(5000).emitWithAck("poll-room", "poll-room", 500);
  const elapsed = Date.now() - started;
  assert.equal(res.timedOut, true);
  assert.match(res.error, /deadline exceeded/);
  assert.deepEqual(res.answers.map((x) => x[0]).sort(), ["blue", "green"]);
  assert.deepEqual(polled.sort(), [a.id, b.id, c.id].sort(), "every client in the room got the event once");
  assert.ok(elapsed >= 450, `the server waited for the deadline (${elapsed}ms)`);
  // A late answer is ignored by the server and the connection stays usable.
  assert.equal(typeof lateAck, "function");
  lateAck("red");
  assert.equal(await c.timeout(3000).emitWithAck("echo", "still here"), "still here");
});

test("custom namespace with an auth payload", async () => {
  const s = connect("/custom", { auth: { token: "s3cret", n: 7 } });
  const [auth] = await once(s, "auth");
  assert.deepEqual(auth, { token: "s3cret", n: 7 });
});

test("CONNECT_ERROR for a middleware rejection carries message and data", async () => {
  const s = connect("/custom", { auth: { token: "wrong" } });
  const [err] = await once(s, "connect_error");
  assert.equal(err.message, "unauthorized");
  assert.deepEqual(err.data, { reason: "bad token" });
});

test("CONNECT_ERROR for an unknown namespace", async () => {
  const s = connect("/does-not-exist");
  const [err] = await once(s, "connect_error");
  assert.equal(err.message, "Invalid namespace");
});

test("server-side disconnect", async () => {
  const s = await connected("/");
  const gone = once(s, "disconnect");
  s.emit("kick-me");
  assert.deepEqual(await gone, ["io server disconnect", undefined]);
});

test("a client that stops answering pings is cleaned up", async () => {
  const observer = await connected("/");
  const base = await observer.timeout(3000).emitWithAck("stats");
  const mute = await connected("/");
  const id = mute.id;
  const engine = mute.io.engine;
  // Swallow outgoing pongs: the server must time the client out.
  const send = engine._sendPacket.bind(engine);
  engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
  await until(async () => {
    const st = await observer.timeout(3000).emitWithAck("stats");
    return st.sockets === base.sockets && st.reasons[id] === "ping timeout";
  }, 8000);
});

test("reconnect with connection state recovery delivers the missed events", async () => {
  const a = await connected("/", {}, RECOVERY_URL);
  const b = await connected("/", {}, RECOVERY_URL);
  assert.equal(b.recovered, false);
  const idBefore = b.id;
  assert.equal(await b.timeout(3000).emitWithAck("join", "news-room"), true);
  // The client resumes from the offset of the last event it received (as with
  // a Node server, a client that has received nothing cannot be recovered).
  const first = once(b, "news");
  assert.equal(await a.timeout(3000).emitWithAck("news-trigger", "news-room", "before"), true);
  assert.equal((await first)[0], "before");

  // engine.close() fires "disconnect" synchronously: listen first.
  const gone = once(b, "disconnect");
  b.io.engine.close();
  await gone;
  await until(async () => {
    const st = await a.timeout(3000).emitWithAck("stats");
    return st.reasons[idBefore] === "transport close";
  });

  // With recovery on, socket.io appends the packet's offset as a last argument
  // (the client records it for the next reconnection).
  const missed = [];
  b.on("news", (m, offset) => {
    assert.equal(typeof offset, "string");
    missed.push(m);
  });
  assert.equal(await a.timeout(3000).emitWithAck("news-trigger", "news-room", "missed-1"), true);
  assert.equal(await a.timeout(3000).emitWithAck("news-trigger", "news-room", "missed-2"), true);

  b.connect();
  await once(b, "connect");
  assert.equal(b.recovered, true);
  assert.equal(b.id, idBefore);
  await until(() => missed.length === 2);
  assert.deepEqual(missed, ["missed-1", "missed-2"]);
  // The restored socket is still in its room.
  assert.equal(await a.timeout(3000).emitWithAck("news-trigger", "news-room", "live"), true);
  await until(() => missed.length === 3);
  assert.equal(missed[2], "live");
});
