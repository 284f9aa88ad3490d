// Drives the chat page of examples/chat in headless Chromium: two users join
// through the page's own minimal Socket.IO client and exchange a message; a
// too-long name shows the server's error ack. Usage: node browser.mjs URL SCREENSHOT.png
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pw = require(process.env.PLAYWRIGHT_CORE || path.resolve(here, "../node_modules/playwright-core"));
const [url, shot] = process.argv.slice(2);

const browser = await pw.chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
let failed = false;
function fail(msg) { console.log("FAIL " + msg); failed = true; }
try {
  const problems = [];
  async function open(name) {
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    page.on("pageerror", (e) => problems.push(name + ": " + e.message));
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => document.getElementById("status").textContent === "connected", null, { timeout: 10000 });
    return page;
  }
  async function send(page, text) {
    await page.fill("#input", text);
    await page.press("#input", "Enter");
  }
  async function sees(page, text, what) {
    try {
      await page.waitForFunction((t) => [...document.querySelectorAll("#log li")].some((li) => li.textContent.includes(t)), text, { timeout: 10000 });
    } catch { fail(what + ": " + JSON.stringify(await page.evaluate(() => document.getElementById("log").innerText))); }
  }
  const alice = await open("alice");
  const bob = await open("bob");
  await send(alice, "x".repeat(65));
  await sees(alice, "Cannot join:", "alice sees the error ack of a too-long name");
  await send(alice, "alice");
  await sees(alice, "Welcome!", "alice logged in");
  await send(bob, "bob");
  await sees(bob, "Welcome!", "bob logged in");
  await sees(alice, "bob joined", "alice sees bob join");
  await send(alice, "hi bob");
  await sees(bob, "alice: hi bob", "bob receives alice's message");
  await send(bob, "hi alice");
  await sees(alice, "bob: hi alice", "alice receives bob's message");
  await alice.screenshot({ path: shot });
  if (problems.length) fail(problems.join("; "));
} finally {
  await browser.close();
}
console.log(failed ? "FAILED" : "PASS");
process.exit(failed ? 1 : 0);
