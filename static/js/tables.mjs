// Wide tables on a narrow screen: each scrolls sideways inside its own box rather than
// pushing the whole page wider than the screen (the header and the text with it). The
// templates write the box round every table (`<div class="app-table-scroll">`), so a page
// does not scroll sideways without JavaScript either; this script makes no second box,
// and wraps only a table that a template left without one.
//
// A box that scrolls is a named region that takes keyboard focus, so it can be scrolled
// with the arrow keys (WCAG 2.1.1); one that fits is left out of the tab order. Nothing
// on a phone's screen shows that a box scrolls (its scroll bar is hidden until it is
// touched), so a line above it says so; it goes again when the table fits.

const HINT_CLASS = "app-table-scroll__hint";
const HINT_TEXT = "Scroll sideways to see the whole table.";

// The table's own name: its caption, or the heading it is labelled by (dashboard
// sections), so that two boxes on one page are told apart.
function nameOf(table) {
  const caption = table.querySelector("caption");
  let text = caption ? caption.textContent.trim() : "";
  const labelledBy = table.getAttribute("aria-labelledby");
  if (!text && labelledBy) {
    text = labelledBy
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent.trim() ?? "")
      .join(" ")
      .trim();
  }
  if (!text) {
    text = (table.getAttribute("aria-label") ?? "").trim();
  }
  return text || "Table";
}

function wrap(table) {
  const parent = table.parentElement;
  if (parent && parent.classList.contains("app-table-scroll")) {
    return parent;
  }
  const box = document.createElement("div");
  box.className = "app-table-scroll";
  table.before(box);
  box.append(table);
  return box;
}

function hintOf(box) {
  const before = box.previousElementSibling;
  return before && before.classList.contains(HINT_CLASS) ? before : null;
}

function update(box) {
  const table = box.querySelector("table");
  if (!table) {
    return;
  }
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", `${nameOf(table)} (scrolls sideways)`);
    if (!hintOf(box)) {
      const hint = document.createElement("p");
      hint.className = `govuk-body-s ${HINT_CLASS}`;
      hint.textContent = HINT_TEXT;
      box.before(hint);
    }
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
    hintOf(box)?.remove();
  }
}

// Each box is looked at again whenever it or its table changes size: the window
// turning, text growing, a "Changes" detail opened inside a cell.
const watcher =
  "ResizeObserver" in window
    ? new ResizeObserver((entries) => {
        for (const entry of entries) {
          const box = entry.target.closest(".app-table-scroll");
          if (box) {
            update(box);
          }
        }
      })
    : null;

export function initTableScroll(root = document) {
  for (const table of root.querySelectorAll("table.govuk-table")) {
    const box = wrap(table);
    update(box);
    if (watcher) {
      watcher.observe(box);
      watcher.observe(table);
    }
  }
}
