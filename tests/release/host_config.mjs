// What a host starts for an installed bundle: mcpb's own getMcpConfigForManifest.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const { getMcpConfigForManifest } = await import(pathToFileURL(process.env.MCPB_CONFIG_JS).href);
const manifest = JSON.parse(readFileSync(process.env.MANIFEST, "utf8"));
const config = await getMcpConfigForManifest({
  manifest,
  extensionPath: process.env.EXTENSION_PATH,
  systemDirs: { HOME: process.env.HOME ?? "", DESKTOP: "", DOCUMENTS: "", DOWNLOADS: "" },
  userConfig: JSON.parse(process.env.USER_CONFIG),
  pathSeparator: "/",
});
process.stdout.write(JSON.stringify(config ?? null));
