// A minimal Socket.IO v5 client over a WebSocket (Engine.IO v4, text packets
// only): enough for this page, with no third-party code. Use socket.io-client
// in real applications.
"use strict";

function connectSocketIO(onEvent, onStatus) {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/socket.io/?EIO=4&transport=websocket";
  const ws = new WebSocket(url);
  const acks = new Map();
  let nextId = 0;
  ws.onmessage = (m) => {
    const data = String(m.data);
    switch (data[0]) {
      case "0": ws.send("40"); return;             // Engine.IO open: connect to "/"
      case "2": ws.send("3"); return;              // ping -> pong
      case "4": break;                             // Socket.IO packet
      default: return;
    }
    const type = data[1];
    let rest = data.slice(2);
    if (type === "0") { onStatus("connected"); return; }
    if (type === "4") { onStatus("refused: " + rest); return; }
    if (type === "1") { onStatus("disconnected by the server"); return; }
    let i = 0;
    while (i < rest.length && rest[i] >= "0" && rest[i] <= "9") i++;
    const id = i > 0 ? Number(rest.slice(0, i)) : undefined;
    const args = JSON.parse(rest.slice(i));
    if (type === "2") onEvent(args[0], args.slice(1));
    else if (type === "3" && acks.has(id)) { acks.get(id)(...args); acks.delete(id); }
  };
  ws.onclose = () => onStatus("disconnected");
  return {
    emit(event, ...args) {
      let id = "";
      if (typeof args[args.length - 1] === "function") {
        id = String(nextId++);
        acks.set(Number(id), args.pop());
      }
      ws.send("42" + id + JSON.stringify([event, ...args]));
    },
  };
}

const log = document.getElementById("log");
const input = document.getElementById("input");
const button = document.querySelector("button");
let joined = false;
let typingTimer;

function say(text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  log.appendChild(li);
  log.scrollTop = log.scrollHeight;
}

const socket = connectSocketIO((event, args) => {
  const p = args[0] || {};
  switch (event) {
    case "login": say(`Welcome! ${p.numUsers} user(s) online.`, "info"); break;
    case "new message": say(`${p.username}: ${p.message}`); break;
    case "user joined": say(`${p.username} joined (${p.numUsers} online)`, "info"); break;
    case "user left": say(`${p.username} left (${p.numUsers} online)`, "info"); break;
    case "typing": document.getElementById("status").textContent = `${p.username} is typing…`; break;
    case "stop typing": document.getElementById("status").textContent = "connected"; break;
  }
}, (status) => { document.getElementById("status").textContent = status; });

input.addEventListener("input", () => {
  if (!joined) return;
  socket.emit("typing");
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => socket.emit("stop typing"), 1000);
});

document.getElementById("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  if (!joined) {
    socket.emit("add user", text, (ack) => {
      if (ack && ack.error === null) {
        joined = true;
        input.placeholder = "Message";
        button.textContent = "Send";
      } else {
        // a string: the chat's own error; an object: sockspec's error ack
        say("Cannot join: " + (typeof ack.error === "string" ? ack.error : ack.error.message), "error");
      }
    });
    return;
  }
  socket.emit("stop typing");
  socket.emit("new message", text, (ack) => {
    if (ack && ack.error) say("Not sent: " + ack.error.message, "error");
  });
  say(`you: ${text}`);
});
