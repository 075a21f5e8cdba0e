// Lighthouse (mobile preset) and axe-core (light and dark) over one page of each kind of a
// built community site. Not part of the test suite: it needs npm packages
// (`npm install lighthouse@12 axe-core@4 puppeteer-core@23` in a scratch folder);
// bench/site-audit.sh copies this file next to that node_modules and runs it there.
//
// usage: node bench/site-audit.mjs http://127.0.0.1:PORT/ path1 path2 ...
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.NODE_PATH + "/");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, ...paths] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const port = new URL(browser.wsEndpoint()).port;
console.log("| page | performance | accessibility | best practices | SEO | axe light | axe dark |");
console.log("|---|---|---|---|---|---|---|");
for (const path of paths) {
  const url = base + path;
  const lh = await lighthouse(url, { port, output: "json", logLevel: "error" });
  const c = lh.lhr.categories;
  const score = (k) => Math.round((c[k]?.score ?? 0) * 100);
  const axe = [];
  for (const scheme of ["light", "dark"]) {
    const page = await browser.newPage();
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await page.goto(url, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const r = await page.evaluate(async () => (await axe.run()).violations.map((v) => v.id + "×" + v.nodes.length));
    axe.push(r.length ? r.join(" ") : "0");
    await page.close();
  }
  console.log(`| ${path || "/"} | ${score("performance")} | ${score("accessibility")} | ${score("best-practices")} | ${score("seo")} | ${axe[0]} | ${axe[1]} |`);
}
await browser.close();
