// Regenerates config/config.example.yaml and the configuration reference (docs/config.md and README.md) from the
// schema. `--check` writes nothing and exits 1 when a file is out of date. `--readme FILE` also updates another
// file with the reference markers.
//   npm run config:docs [-- --check] [-- --readme FILE]
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { docsTargets, syncConfigDocs } from "../src/config/docs-files.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const extra: string[] = [];
const r = args.indexOf("--readme");
if (r >= 0) {
  const next = args[r + 1];
  if (next && !next.startsWith("--")) extra.push(resolve(next));
}

const results = syncConfigDocs(docsTargets(root, extra), check);
for (const { path, changed } of results) {
  console.log(`${changed ? (check ? "out of date" : "updated") : "up to date"}: ${path}`);
}
if (check && results.some((x) => x.changed)) {
  console.error(`run \`npm run config:docs\` to regenerate`);
  process.exitCode = 1;
}
