// Drives headless Chromium against a running docs page (used by
// docs/browser_test.go). Usage:
//   node browser.mjs URL SCREENSHOT.png '["event a","event b"]' [react]
// Exits non-zero with a message on the first failed check.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pw = require(process.env.PLAYWRIGHT_CORE || path.resolve(here, "../../e2e/node_modules/playwright-core"));

const [url, shot, eventsJSON, mode] = process.argv.slice(2);
const events = JSON.parse(eventsJSON);

function fail(msg) {
  console.error("FAIL: " + msg);
  process.exitCode = 1;
}

const browser = await pw.chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("requestfailed", (r) => problems.push("request failed: " + r.url() + " " + (r.failure() || {}).errorText));
  page.on("response", (r) => { if (r.status() >= 400) problems.push("HTTP " + r.status() + " " + r.url()); });

  const resp = await page.goto(url, { waitUntil: "load" });
  if (!resp || resp.status() !== 200) fail("page status " + (resp && resp.status()));

  if (mode === "react") {
    await page.waitForFunction(() => document.documentElement.getAttribute("data-react"), null, { timeout: 30000 });
    const state = await page.evaluate(() => document.documentElement.getAttribute("data-react"));
    if (state !== "rendered") fail("react component state " + state);
    // The component renders the document (its own layout; it names events
    // by message ids, not always by Socket.IO event names).
    const reactText = await page.locator("#asyncapi-react").innerText();
    if (!reactText.includes("Operations")) fail("react component rendered no operations");
    if (await page.locator("#own-view").isVisible()) fail("own view still visible under the component");
    await page.screenshot({ path: shot.replace(/\.png$/, "-component.png") });
    // The toggle brings our page back; the checks below run on it.
    await page.click("#view-toggle");
    if (!(await page.locator("#own-view").isVisible())) fail("toggle did not restore our page");
  } else {
    // Our stylesheet applied (no network needed): the layout is a grid.
    const display = await page.evaluate(() => getComputedStyle(document.querySelector(".layout")).display);
    if (display !== "grid") fail("stylesheet not applied, .layout display=" + display);
    // Our script ran: it reveals the filter box.
    if (!(await page.locator("#filter").isVisible())) fail("docs.js did not run (filter hidden)");
  }

  const text = await page.evaluate(() => document.body.innerText);
  for (const name of events) {
    if (!text.includes(name)) fail("event not in page text: " + name);
  }
  {
    for (const name of events) {
      const loc = page.locator(`article[data-event="${name.replace(/"/g, '\\"')}"] .event-name`);
      const n = await loc.count();
      if (n === 0) { fail("no event card for " + name); continue; }
      for (let i = 0; i < n; i++) {
        if (!(await loc.nth(i).isVisible())) fail("event card not visible: " + name);
      }
    }
    const cards = await page.locator("article.event").count();
    console.log("event cards: " + cards);
    // The filter narrows the cards down.
    if (events.length > 1) {
      await page.fill("#filter", events[0]);
      const shown = await page.locator("article.event:not(.hidden-by-filter)").count();
      if (shown === 0 || shown >= cards) fail("filter did not narrow: " + shown + " of " + cards);
      await page.fill("#filter", "");
    }
  }
  for (const p of problems) fail(p);
  await page.screenshot({ path: shot, fullPage: true });
  // The first screen, as a reader sees it, and the first acknowledged event.
  await page.screenshot({ path: shot.replace(/\.png$/, "-viewport.png") });
  const acked = page.locator("article.event:has(.block.ack)").first();
  if ((await acked.count()) > 0) {
    await acked.screenshot({ path: shot.replace(/\.png$/, "-ack-event.png") });
  }
  console.log("screenshot: " + shot);
} finally {
  await browser.close();
}
