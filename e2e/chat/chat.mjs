// End-to-end scenario of examples/chat with the official socket.io-client.
// Usage: node chat.mjs BASE_URL ADMIN_TOKEN. Prints one line per check and
// exits 1 on the first failure.
import { io } from "socket.io-client";

const [base, token] = process.argv.slice(2);
const TIMEOUT = 5000;

function fail(msg) {
  console.log("FAIL " + msg);
  process.exit(1);
}
function ok(msg) {
  console.log("ok " + msg);
}
function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) fail(`${what}: got ${g}, want ${w}`);
}
function withTimeout(p, what) {
  return Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error("timeout: " + what)), TIMEOUT))]);
}
function connect(nsp = "/", opts = {}) {
  const s = io(base + nsp, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });
  return s;
}
function connected(s, what) {
  return withTimeout(new Promise((res, rej) => {
    s.once("connect", res);
    s.once("connect_error", (e) => rej(new Error(what + ": " + e.message)));
  }), what);
}
function refused(s, what) {
  return withTimeout(new Promise((res, rej) => {
    s.once("connect", () => rej(new Error(what + ": connected")));
    s.once("connect_error", res);
  }), what);
}
// waitFor resolves with the first event matching pred, recorded or future.
function recorder(s) {
  const seen = [];
  const waiters = [];
  s.onAny((event, ...args) => {
    seen.push({ event, args });
    for (const w of waiters.slice()) {
      if (w.pred(event, args)) { waiters.splice(waiters.indexOf(w), 1); w.res(args); }
    }
  });
  return (pred, what) => {
    const hit = seen.find((e) => pred(e.event, e.args));
    if (hit) return Promise.resolve(hit.args);
    return withTimeout(new Promise((res) => waiters.push({ pred, res })), what);
  };
}

const all = [];
try {
  // the echo bot
  const bot = connect();
  all.push(bot);
  await connected(bot, "bot connect");
  eq(await bot.timeout(TIMEOUT).emitWithAck("add user", "echo-bot"), { error: null }, "bot add user ack");
  bot.on("new message", (m) => {
    if (m.username !== "echo-bot" && !m.message.startsWith("echo: ")) bot.emit("new message", "echo: " + m.message);
  });
  ok("echo bot joined");

  const names = ["alice", "bob", "carol"];
  const users = {};
  // alice: WebSocket only; bob: polling then upgrade; carol: polling only
  const transports = { alice: ["websocket"], bob: ["polling", "websocket"], carol: ["polling"] };
  for (const name of names) {
    const s = connect("/", { transports: transports[name] });
    all.push(s);
    const wait = recorder(s);
    await connected(s, name + " connect");
    const ack = await s.timeout(TIMEOUT).emitWithAck("add user", name);
    eq(ack, { error: null }, name + " add user ack");
    const [login] = await wait((e) => e === "login", name + " login");
    if (typeof login.numUsers !== "number") fail("login payload " + JSON.stringify(login));
    users[name] = { s, wait };
  }
  ok("three users joined");
  const [joined] = await users.alice.wait((e, a) => e === "user joined" && a[0].username === "carol", "alice sees carol join");
  eq(joined, { username: "carol", numUsers: 4 }, "user joined payload");

  users.alice.s.emit("typing");
  for (const n of ["bob", "carol"]) {
    eq((await users[n].wait((e, a) => e === "typing" && a[0].username === "alice", n + " sees alice typing"))[0], { username: "alice" }, "typing");
  }
  users.alice.s.emit("stop typing");
  for (const n of ["bob", "carol"]) {
    await users[n].wait((e, a) => e === "stop typing" && a[0].username === "alice", n + " sees alice stop typing");
  }
  ok("typing and stop typing broadcast");

  for (const from of names) users[from].s.emit("new message", "hello from " + from);
  for (const to of names) {
    for (const from of names) {
      if (from === to) continue;
      const [m] = await users[to].wait((e, a) => e === "new message" && a[0].username === from, `${to} gets ${from}'s message`);
      eq(m, { username: from, message: "hello from " + from }, "new message payload");
    }
    for (const from of names) {
      await users[to].wait((e, a) => e === "new message" && a[0].username === "echo-bot" && a[0].message === "echo: hello from " + from,
        `${to} gets the bot's echo of ${from}`);
    }
  }
  ok("messages and bot echoes received by everybody else");

  eq(await users.alice.s.timeout(TIMEOUT).emitWithAck("add user", "alice2"), { error: "User is already added" }, "second add user");
  ok("second add user acked with an error");

  const bad = await users.bob.s.timeout(TIMEOUT).emitWithAck("add user", 42);
  if (!bad.error || bad.error.code !== "invalid_payload" || bad.error.kind !== "payload" || bad.error.instancePath !== "/0" ||
      !String(bad.error.schemaPath).includes("#/components/messages/AddUser/payload/type")) {
    fail("invalid payload ack: " + JSON.stringify(bad));
  }
  const empty = await users.bob.s.timeout(TIMEOUT).emitWithAck("new message", "");
  if (!empty.error || empty.error.code !== "invalid_payload") fail("empty message ack: " + JSON.stringify(empty));
  const unknown = await users.bob.s.timeout(TIMEOUT).emitWithAck("shout", "x");
  if (!unknown.error || unknown.error.code !== "unknown_event") fail("unknown event ack: " + JSON.stringify(unknown));
  const tooMany = await users.bob.s.timeout(TIMEOUT).emitWithAck("typing", 1, 2);
  if (!tooMany.error || tooMany.error.kind !== "arity") fail("arity ack: " + JSON.stringify(tooMany));
  // still usable, and nobody else noticed
  users.bob.s.emit("new message", "still here");
  await users.carol.wait((e, a) => e === "new message" && a[0].message === "still here", "carol gets bob's message after his errors");
  ok("invalid payloads get the documented error ack; the connection stays usable");

  const admin = connect("/admin", { query: { token } });
  all.push(admin);
  const metric = withTimeout(new Promise((res) => admin.on("server metric", res)), "server metric");
  await connected(admin, "admin connect");
  const m = await metric;
  if (m.name !== "CPU_COUNT" || typeof m.value !== "number") fail("server metric " + JSON.stringify(m));
  ok("admin with the right token gets server metric");

  const wrong = connect("/admin", { query: { token: "nope" } });
  all.push(wrong);
  const e1 = await refused(wrong, "wrong token");
  if (e1.message !== "unauthorized" || !e1.data || e1.data.code !== "unauthorized") fail("wrong token: " + e1.message + " " + JSON.stringify(e1.data));
  const missing = connect("/admin");
  all.push(missing);
  const e2 = await refused(missing, "missing token");
  if (!e2.data || e2.data.code !== "invalid_handshake" || e2.data.kind !== "query") fail("missing token: " + e2.message + " " + JSON.stringify(e2.data));
  ok("admin with a wrong or missing token gets CONNECT_ERROR");

  console.log("PASS");
} catch (e) {
  fail(e.message);
} finally {
  for (const s of all) s.disconnect();
}
process.exit(0);
