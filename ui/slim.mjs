// A rolldown plugin that keeps two things the card never runs out of its bundle, without touching what it does
// run (the official `App` client, the MCP SDK's `Protocol` it extends, and zod's parsing):
//
// 1. @modelcontextprotocol/client's entry point. `App` imports only `Protocol` from it, but the entry module also
//    evaluates the SDK's Client, HTTP/SSE transports, OAuth and a JSON Schema validator (~7 KB minified). The
//    card imports `Protocol` from the very module the entry point re-exports it from.
// 2. zod's JSON Schema generator (`schema.toJSONSchema()`, `~standard.jsonSchema`; ~19 KB). Every zod schema
//    holds a reference to it, so tree-shaking cannot drop it; the card never converts a schema (it registers no
//    app tools and answers no elicitation). Here every generator export throws, saying so; `aggregateChecks`
//    (behind schema properties such as `minLength`) is the real one.
//
// Both read the pinned packages' files and fail the build, naming what changed, if their shape differs: the
// result is the same bytes for the same lock (tests/browser/test_card_bundle.py).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const REAL = "?slim-real";
const UNAVAILABLE = `const unavailable=()=>{throw new Error("JSON Schema conversion is not bundled in the interview card")};`;

export async function slim(uiDir) {
  const require = createRequire(join(uiDir, "package.json"));
  const zodDir = dirname(require.resolve("zod/package.json"));
  const processors = join(zodDir, "v4", "core", "json-schema-processors.js");
  const generator = join(zodDir, "v4", "core", "to-json-schema.js");
  const clientEntry = join(uiDir, "node_modules", "@modelcontextprotocol", "client", "dist", "index.mjs");

  const replacements = new Map([
    [clientEntry, await protocolOnly(clientEntry)],
    [processors, await throwingExcept(processors, ["aggregateChecks"])],
    [generator, await throwingExcept(generator, [])],
  ]);
  return {
    name: "hireflix-card-slim",
    resolveId(source) {
      if (source.endsWith(REAL)) return source;
      return null;
    },
    async load(id) {
      if (id.endsWith(REAL)) return readFile(id.slice(0, -REAL.length), "utf8");
      return replacements.get(id) ?? null;
    },
  };
}

async function protocolOnly(entry) {
  const text = await readFile(entry, "utf8");
  const match = /import \{([^}]*)\} from "(\.\/src-[\w-]+\.mjs)"/.exec(text);
  const local = match && /(?:^|,)\s*([\w$]+) as Protocol\s*(?:,|$)/.exec(match[1]);
  if (!local) throw new Error(`${entry}: no "import { … as Protocol } from './src-….mjs'" (the SDK's layout changed)`);
  return `export { ${local[1]} as Protocol } from "${match[2]}";\n`;
}

async function throwingExcept(file, keep) {
  const names = Object.keys(await import(pathToFileURL(file).href)).sort();
  for (const name of keep) {
    if (!names.includes(name)) throw new Error(`${file}: no export ${name} (zod's layout changed)`);
  }
  const stubbed = names.filter((name) => !keep.includes(name));
  // `create…Method(schema, …)` runs when a schema is built and returns the method: only calling that throws.
  const stub = (name) => `export const ${name}=${name.startsWith("create") ? "()=>unavailable" : "unavailable"};`;
  const kept = keep.length ? `export{${keep.join(",")}}from${JSON.stringify(file + REAL)};` : "";
  return UNAVAILABLE + stubbed.map(stub).join("") + kept + "\n";
}
