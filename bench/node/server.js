// Node reference server for sockspec's benchmarks (bench/run.sh).
//
// npm socket.io 4.8.x from e2e/node_modules, WebSocket transport only, perMessageDeflate off,
// default ping settings. Handlers (the same as bench/server, our Go server):
//   "echo"       acks back its arguments;
//   "join-bcast" joins the room "bench" (and acks if asked);
//   "bcast"      broadcasts its first argument to the room "bench" as event "bcast".
// HTTP GET /debug/gc runs the garbage collector (node must run with --expose-gc) and answers
// with process.memoryUsage() as JSON, so the load generator can read RSS after GC.
//
// Usage: node --expose-gc bench/node/server.js [--port N] [--host H]   (env PORT/HOST also work)
// Prints "listening PORT" on stdout once it accepts connections (port 0 picks a free port).
"use strict";

const path = require("path");
const http = require("http");

const modules = path.resolve(__dirname, "..", "..", "e2e", "node_modules");
const { Server } = require(path.join(modules, "socket.io"));

function flag(name, def) {
  const i = process.argv.indexOf("--" + name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const env = process.env[name.toUpperCase()];
  return env !== undefined && env !== "" ? env : def;
}

const port = parseInt(flag("port", "0"), 10);
const host = flag("host", "127.0.0.1");

const httpServer = http.createServer((req, res) => {
  if (req.url === "/debug/gc") {
    if (typeof global.gc === "function") {
      global.gc();
      global.gc();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ gc: typeof global.gc === "function", memory: process.memoryUsage() }));
    return;
  }
  if (req.url.startsWith("/socket.io/")) return; // handled by engine.io's listener
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, {
  transports: ["websocket"],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
});

const ROOM = "bench";

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const cb = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (cb) cb(...args);
  });
  socket.on("join-bcast", (...args) => {
    socket.join(ROOM);
    const cb = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (cb) cb(true);
  });
  socket.on("bcast", (payload) => {
    io.to(ROOM).emit("bcast", payload);
  });
});

httpServer.listen(port, host, () => {
  process.stdout.write("listening " + httpServer.address().port + "\n");
});

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    io.close();
    process.exit(0);
  });
}
