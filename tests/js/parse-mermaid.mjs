// Parse Mermaid files with Mermaid's own parser (in Node, with jsdom standing in for the browser).
// Usage: node parse-mermaid.mjs FILE...   Prints "ok FILE TYPE" or "FAIL FILE: message"; exit 1 on any failure.
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
import { readFileSync } from "node:fs";
let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`ok ${file} ${result.diagramType}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${file}: ${String(error.message || error).split("\n").slice(0, 4).join(" | ")}`);
  }
}
process.exit(failed ? 1 : 0);
