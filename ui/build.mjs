// Builds the interview card into one self-contained HTML file (package data of hireflix_mcp), and, with
// --host DIR, the browser tests' host script. Deterministic: the same sources and lock give the same bytes
// (tests/browser/test_card_bundle.py rebuilds and compares).
//
//   node build.mjs                      writes ../src/hireflix_mcp/ui/interview-card.html
//   node build.mjs --out FILE           writes the card elsewhere (the test compares it)
//   node build.mjs --host DIR           also writes DIR/host.js (not committed)
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import { compactCss, compactHtml } from "./compact.mjs";
import { slim } from "./slim.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const out = resolve(option("--out") ?? join(here, "..", "src", "hireflix_mcp", "ui", "interview-card.html"));
const hostDir = option("--host");

async function bundle(input, plugins = []) {
  const build = await rolldown({ input: join(here, input), platform: "browser", logLevel: "silent", plugins });
  const { output } = await build.generate({ format: "es", minify: true, comments: false });
  await build.close();
  if (output.length !== 1) throw new Error(`${input}: expected one chunk, got ${output.length}`);
  return output[0].code;
}

// Inline <script>/<style> end at the first "</script" / "</style"; JS and CSS can say it differently.
const inlineSafe = (code, tag) => code.replaceAll(new RegExp(`</(${tag})`, "gi"), "<\\/$1").replaceAll("<!--", "<\\!--");

const [template, css, js] = await Promise.all([
  readFile(join(here, "card", "card.html"), "utf8"),
  readFile(join(here, "card", "card.css"), "utf8"),
  bundle("card/card.js", [await slim(here)]), // slim.mjs: what the card never runs, kept out
]);
const html = compactHtml(template)
  .replace("/*STYLE*/", () => inlineSafe(compactCss(css), "style"))
  .replace("/*SCRIPT*/", () => inlineSafe(js.trim(), "script"));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, html);
console.error(`card: ${out} (${html.length} bytes)`);

if (hostDir) {
  await mkdir(hostDir, { recursive: true });
  await writeFile(join(hostDir, "host.js"), await bundle("test-host/host.js"));
  console.error(`host: ${join(hostDir, "host.js")}`);
}
