// Drives `sockspec mock` on the chat document with the official
// socket.io-client. Usage: node mock.mjs BASE_URL INTERVAL_MS
// Prints one JSON line per observation (acks, events, refusals) for the Go
// test to validate against the document's compiled schemas, then "DONE".
// Exits 1 (after printing "FAIL reason") when something does not happen in time.
import { io } from "socket.io-client";

const [base, intervalArg] = process.argv.slice(2);
const interval = Number(intervalArg);
const TIMEOUT = 10000;

function report(obj) {
  console.log(JSON.stringify(obj));
}
function fail(msg) {
  console.log("FAIL " + msg);
  process.exit(1);
}
function withTimeout(p, what, ms = TIMEOUT) {
  return Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error("timeout: " + what)), ms))]);
}
function connected(s, what) {
  return withTimeout(new Promise((res, rej) => {
    s.once("connect", res);
    s.once("connect_error", (e) => rej(new Error(what + ": " + e.message)));
  }), what);
}

const sockets = [];
try {
  // "/" with socket.io-client's default transports (polling, then upgrade)
  const chat = io(base + "/", { forceNew: true, reconnection: false });
  sockets.push(chat);
  const wanted = new Set(["new message", "typing", "user joined"]);
  const firsts = new Map();
  let t0 = 0;
  const allSeen = new Promise((res) => {
    chat.onAny((event, ...args) => {
      report({ kind: "event", nsp: "/", event, args, ms: Date.now() - t0 });
      if (wanted.has(event) && !firsts.has(event)) {
        firsts.set(event, Date.now() - t0);
        if ([...wanted].every((e) => firsts.has(e))) res();
      }
    });
  });
  await connected(chat, "connect /");
  t0 = Date.now();

  for (const name of ["alice", "bob", "carol"]) {
    const ack = await withTimeout(chat.timeout(TIMEOUT).emitWithAck("add user", name), "add user ack");
    report({ kind: "ack", nsp: "/", event: "add user", args: [ack] });
  }
  // events without ack are accepted silently
  chat.emit("typing");
  chat.emit("new message", "hello from node");

  await withTimeout(allSeen, "new message, typing and user joined");
  report({ kind: "firsts", ms: Object.fromEntries(firsts) });

  // /admin without its token: refused by the handshake binding
  const anon = io(base + "/admin", { forceNew: true, reconnection: false, transports: ["websocket"] });
  sockets.push(anon);
  const refusal = await withTimeout(new Promise((res, rej) => {
    anon.once("connect", () => rej(new Error("/admin accepted a client without token")));
    anon.once("connect_error", res);
  }), "admin refusal");
  report({ kind: "connect_error", nsp: "/admin", message: refusal.message, data: refusal.data ?? null });

  // /admin with a token: admitted, and gets server metric events
  const admin = io(base + "/admin", { forceNew: true, reconnection: false, transports: ["websocket"], query: { token: "any-token" } });
  sockets.push(admin);
  const metric = new Promise((res) => admin.on("server metric", (...args) => res(args)));
  await connected(admin, "connect /admin with token");
  const args = await withTimeout(metric, "server metric");
  report({ kind: "event", nsp: "/admin", event: "server metric", args });

  console.log("DONE");
} catch (e) {
  fail(e.message);
} finally {
  for (const s of sockets) s.close();
}
process.exit(0);
