// Node reference Socket.IO server (socket.io 4.8 from e2e/node_modules) used by the client
// package's tests. It listens on two ephemeral ports of 127.0.0.1 and prints one JSON line:
// {"port": P, "recoveryPort": R}. R runs with connection state recovery enabled. The process
// exits when its stdin closes.
"use strict";
const path = require("path");
const http = require("http");
const { Server } = require(path.resolve(__dirname, "../../e2e/node_modules/socket.io"));

// Short heartbeats so that tests see several pings, with a generous timeout: CI machines are shared.
const engineOpts = { pingInterval: 500, pingTimeout: 5000 };

// ackFn removes and returns the ack callback at the end of args, or a no-op.
const ackFn = (args) => (typeof args[args.length - 1] === "function" ? args.pop() : () => {});

// a test's mistake must not take the server down for the other tests
process.on("uncaughtException", (err) => console.error("refserver:", err));

function setup(io) {
  const main = io.of("/");
  main.on("connection", (socket) => {
    socket.on("echo", (...args) => {
      const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
      socket.emit("echo", ...args);
      if (cb) cb(...args);
    });
    socket.on("ack", (...args) => {
      const cb = ackFn(args);
      cb(...args);
    });
    // describes what the server received: "buffer:<hex>" for binary, else JSON
    socket.on("describe", (...args) => {
      const cb = ackFn(args);
      const describe = (v) => {
        if (Buffer.isBuffer(v)) return "buffer:" + v.toString("hex");
        if (Array.isArray(v)) return v.map(describe);
        if (v && typeof v === "object") {
          const o = {};
          for (const k of Object.keys(v)) o[k] = describe(v[k]);
          return o;
        }
        return v;
      };
      cb(args.map(describe));
    });
    // the server asks the client, and acks with the client's answer
    socket.on("ask-me", (question, cb = () => {}) => {
      socket.timeout(3000).emit("question", question, Buffer.from([1, 2, 3]), (err, ...res) => {
        cb(err ? { error: err.message } : res);
      });
    });
    socket.on("handshake", (cb = () => {}) => {
      cb({ query: socket.handshake.query, headers: socket.handshake.headers, auth: socket.handshake.auth, transport: socket.conn.transport.name });
    });
    socket.on("disconnect-me", () => socket.disconnect());
    socket.on("drop-me", () => socket.conn.close());
    socket.on("send-binary", () => {
      socket.emit("binary", Buffer.from("hello"), { nested: [Buffer.from([0, 255])], n: 1 });
    });
    socket.on("count", (n, cb = () => {}) => {
      for (let i = 0; i < n; i++) socket.emit("seq", i);
      cb(n);
    });
  });

  io.of("/admin").use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === "secret") return next();
    const err = new Error("unauthorized");
    err.data = { code: 401, reason: "bad token" };
    next(err);
  });
  io.of("/admin").on("connection", (socket) => {
    socket.emit("welcome", socket.nsp.name, socket.handshake.auth);
    socket.on("ack", (...args) => ackFn(args)(...args));
  });
}

function listen(opts) {
  return new Promise((resolve) => {
    const httpServer = http.createServer();
    const io = new Server(httpServer, { ...engineOpts, ...opts });
    setup(io);
    httpServer.listen(0, "127.0.0.1", () => resolve({ io, port: httpServer.address().port }));
  });
}

(async () => {
  const plain = await listen({});
  const recovery = await listen({
    connectionStateRecovery: { maxDisconnectionDuration: 60000, skipMiddlewares: true },
  });
  recovery.io.of("/").on("connection", (socket) => {
    socket.emit("hello", socket.recovered);
    // drops the transport, then emits an event the client misses while disconnected
    socket.on("drop-and-emit", (tag) => {
      const nsp = socket.nsp;
      const id = socket.id;
      socket.conn.close();
      nsp.to(id).emit("missed", tag);
    });
  });
  process.stdout.write(JSON.stringify({ port: plain.port, recoveryPort: recovery.port }) + "\n");
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
})();
