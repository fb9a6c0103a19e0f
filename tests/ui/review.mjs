// End-to-end test of the review page in Debian's headless chromium, driven
// by playwright-core (run by ci/ui-test.sh, which starts the service and
// seeds its cases): sign in with the keyboard, see the queue, open a case
// held on a name, resolve it as a false positive, see the queue shrink,
// freeze and unfreeze the customer. Screenshots of the queue and of the
// case page go to the directory given.
//
//   node review.mjs BASE_URL REVIEW_TOKEN SCREENSHOT_DIR
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, token, shots] = process.argv.slice(2);
assert.ok(base && token && shots, "usage: node review.mjs BASE_URL REVIEW_TOKEN SCREENSHOT_DIR");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  // the wrong token's 401 is the one failed request expected
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push("console: " + m.text());
  });

  await page.goto(base + "/ui");
  // a wrong token is refused, saying so
  await page.getByLabel("Review token").fill("not-a-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Unknown token.").waitFor();

  // sign in with the keyboard alone: the field is labelled, Enter submits
  await page.getByLabel("Review token").focus();
  await page.keyboard.type(token);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Cases" }).waitFor();
  // the count once the queue answering `want` (a part of its query) is shown
  const count = async (want = "") => {
    await page.waitForFunction((w) => {
      const c = document.getElementById("queue-count");
      return c.dataset.query !== undefined && c.dataset.query.includes(w) && /\d+ cases?/.test(c.textContent);
    }, want);
    return Number((await page.locator("#queue-count").textContent()).match(/\d+/)[0]);
  };
  const before = await count();
  assert.ok(before >= 2, `the seeded cases are in the queue (${before})`);
  await page.screenshot({ path: `${shots}/ui-queue.png`, fullPage: false });

  // filter by reason: only name hits
  await page.getByLabel("Reason", { exact: true }).selectOption("sanctions_name");
  await page.getByRole("button", { name: "Filter" }).click();
  const names = await count("reason=sanctions_name");
  assert.ok(names >= 1 && names < before, `the reason filter narrows the queue (${names} of ${before})`);

  // the case held on a name alone
  const row = page.locator("tr", { hasText: "Oleg Deripaska" }).first();
  await row.getByRole("link").click();
  await page.getByRole("heading", { name: "Reasons" }).waitFor();
  await page.getByText("Party's name").first().waitFor();
  const entry = await page.locator("pre.entry").first().textContent();
  assert.match(entry, /DERIPASKA/, "the list entry as printed is shown");
  await page.screenshot({ path: `${shots}/ui-case.png`, fullPage: true });

  // resolve as a false positive
  await page.getByLabel(/False positive/).check();
  await page.getByLabel("Note (why)").first().fill("Different person: the customer was born 1991, the entry 1968.");
  await page.getByRole("button", { name: "Resolve case" }).click();
  await page.getByText("Resolved as false positive.").waitFor();
  await page.getByText(/closed \(false positive\)/).first().waitFor();

  // freeze and unfreeze the customer
  const accountNote = page.locator("#account-note");
  await accountNote.fill("court order 7/2026");
  await page.getByRole("button", { name: "Freeze", exact: true }).click();
  await page.getByText("Account frozen.").waitFor();
  await page.getByText(/is frozen/).waitFor();
  await accountNote.fill("order lifted");
  await page.getByRole("button", { name: "Unfreeze" }).click();
  await page.getByText("Account unfrozen.").waitFor();
  await page.getByText(/is normal/).waitFor();

  // back to the queue: one case fewer
  await page.getByRole("link", { name: "← Back to the queue" }).click();
  await page.getByLabel("Status", { exact: true }).selectOption("open");
  await page.getByLabel("Reason", { exact: true }).selectOption("");
  await page.getByRole("button", { name: "Filter" }).click();
  const after = await count("status=open&limit");
  assert.equal(after, before - 1, `the resolved case left the open queue (${after} of ${before})`);
  assert.deepEqual(problems, [], "no script errors");
  console.log(`ui test passed: queue ${before} → ${after}; screenshots in ${shots}`);
} catch (e) {
  failed = true;
  console.error("ui test failed:", e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
