// Print what Mermaid's own parser makes of a journey: title, sections and tasks, as JSON.
// Usage: node journey-structure.mjs FILE   (exit 1 when Mermaid cannot parse it)
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
import { readFileSync } from "node:fs";
const text = readFileSync(process.argv[2], "utf8");
try {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const tasks = db.getTasks().map((t) => ({ section: t.section, task: t.task, score: t.score, people: t.people }));
  console.log(JSON.stringify({ title: db.getDiagramTitle(), sections: db.getSections(), tasks }));
} catch (error) {
  console.log(`FAIL: ${String(error.message || error).split("\n").slice(0, 3).join(" | ")}`);
  process.exit(1);
}
