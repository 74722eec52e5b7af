// cjmap serve: poll the server for a new render and show the map's errors over the last good one.
// Lives in the wrapper page only; the rendered grid keeps its own strict CSP and runs nothing of this.
"use strict";
(function () {
  const grid = document.getElementById("grid");
  const diagram = document.getElementById("diagram");
  const image = document.getElementById("diagram-image");
  const note = document.getElementById("diagram-note");
  const status = document.getElementById("status");
  const problems = document.getElementById("problems");
  const title = document.getElementById("problems-title");
  const list = document.getElementById("problem-list");
  const gridButton = document.getElementById("show-grid");
  const diagramButton = document.getElementById("show-diagram");
  let shown = -1;

  function show(which) {
    const onGrid = which === "grid";
    grid.hidden = !onGrid;
    diagram.hidden = onGrid;
    gridButton.setAttribute("aria-pressed", String(onGrid));
    diagramButton.setAttribute("aria-pressed", String(!onGrid));
  }
  gridButton.addEventListener("click", () => show("grid"));
  diagramButton.addEventListener("click", () => show("diagram"));

  // Where the reader was, so that a save does not throw them back to the top of the grid.
  function scrolled() {
    try {
      const view = grid.contentWindow;
      const scroller = view.document.querySelector(".scroller");
      return { x: view.scrollX, y: view.scrollY, inner: scroller ? scroller.scrollLeft : 0 };
    } catch (error) {
      return null;
    }
  }

  function reload(version) {
    const position = scrolled();
    if (position) {
      grid.addEventListener("load", () => {
        const view = grid.contentWindow;
        const scroller = view.document.querySelector(".scroller");
        if (scroller) scroller.scrollLeft = position.inner;
        view.scrollTo(position.x, position.y);
      }, { once: true });
    }
    grid.src = "/grid.html?v=" + version;
  }

  function render(state) {
    document.getElementById("file").textContent = state.file;
    document.title = state.title ? state.title + " — cjmap serve" : "cjmap serve";
    if (state.version !== shown) {
      shown = state.version;
      reload(state.version);
      if (state.diagram) {
        image.src = "/diagram.svg?v=" + state.version;
        image.hidden = false;
      } else {
        image.hidden = true;
      }
      document.body.dataset.version = String(state.version);
    }
    note.hidden = !state.diagram_note;
    note.textContent = state.diagram_note || "";
    list.replaceChildren(...state.errors.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    problems.hidden = state.errors.length === 0;
    title.textContent = state.errors.length === 0 ? "" :
      state.errors.length + (state.errors.length === 1 ? " error" : " errors") +
      (state.version > 0 ? ": showing the last render without errors" : ": nothing rendered yet");
    status.textContent = state.errors.length ? "errors" :
      "up to date" + (state.warnings ? " · " + state.warnings + (state.warnings === 1 ? " warning" : " warnings") : "");
    status.classList.toggle("stale", state.errors.length > 0);
  }

  async function poll() {
    try {
      const response = await fetch("/state.json", { cache: "no-store" });
      if (response.ok) render(await response.json());
    } catch (error) {
      status.textContent = "server stopped";
      status.classList.add("stale");
    }
    setTimeout(poll, 250);
  }
  poll();
})();
