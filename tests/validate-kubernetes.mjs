#!/usr/bin/env node
// tests/validate-kubernetes.mjs MODULES_DIR FILE...: validates each Kubernetes
// manifest (JSON) against Kubernetes' own OpenAPI schemas with the npm
// package kubernetes-models (v5), installed under MODULES_DIR/node_modules:
// new Job(obj).validate() for a batch/v1 Job. Prints "valid FILE" or
// "invalid FILE: why" a line; exit 1 when any is invalid, 2 on bad usage.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, ...files] = process.argv.slice(2);
if (!dir || files.length === 0) {
  console.error("usage: validate-kubernetes.mjs MODULES_DIR FILE...");
  process.exit(2);
}
// An ES module resolves packages next to itself, not on NODE_PATH: import by path.
const url = pathToFileURL(join(dir, "node_modules/kubernetes-models/batch/v1/index.js"));
const { Job } = await import(url.href);

let bad = 0;
for (const file of files) {
  try {
    const text = readFileSync(file, "utf8");
    if (text.trim() === "") throw new Error("empty file");
    const obj = JSON.parse(text);
    if (obj.apiVersion !== "batch/v1" || obj.kind !== "Job")
      throw new Error(`not a batch/v1 Job: ${obj.apiVersion}/${obj.kind}`);
    new Job(obj).validate();
    console.log(`valid ${file}`);
  } catch (e) {
    bad++;
    console.log(`invalid ${file}: ${String(e.message).split("\n")[0]}`);
  }
}
process.exit(bad ? 1 : 0);
