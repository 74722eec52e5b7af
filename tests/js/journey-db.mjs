// Parse Mermaid journeys with Mermaid's own parser and print what its journeyDb holds, one JSON line
// per file: {"file", "ok", "error"} or {"file", "ok", "title", "accTitle", "accDescr", "tasks"}.
// Usage: node journey-db.mjs FILE...   (for cjmap's differential tests of `cjmap import mermaid`)
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
// Mermaid parses entities as placeholders and decodes them when it draws: decode them the same way.
const area = dom.window.document.createElement("textarea");
const decode = (text) =>
  text
    .replace(/ﬂ°°(\d+)¶ß/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/ﬂ°(\w+)¶ß/g, (whole, code) => {
      area.innerHTML = `&${code};`;
      return area.value; // an unknown name stays "&name;", as Mermaid shows it
    });
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    if (diagram.type !== "journey") throw new Error(`not a journey but ${diagram.type}`);
    const db = diagram.db;
    const tasks = db.getTasks().map((t) => ({
      section: decode(t.section),
      task: decode(t.task),
      score: Number.isFinite(t.score) ? t.score : t.score === null || Number.isNaN(t.score) ? null : String(t.score),
      people: t.people.map(decode),
    }));
    console.log(JSON.stringify({ file, ok: true, title: decode(db.getDiagramTitle()), accTitle: decode(db.getAccTitle()),
      accDescr: decode(db.getAccDescription()), tasks }));
    db.clear();
  } catch (error) {
    console.log(JSON.stringify({ file, ok: false, error: String(error.message || error).split("\n")[0] }));
  }
}
