// Small behaviours that htmx attributes cannot express; loaded with CSP script-src 'self'.
document.addEventListener("DOMContentLoaded", () => {
  // "Select all" in queue tables.
  document.body.addEventListener("change", (event) => {
    const box = event.target;
    if (box.matches("input[data-select-all]")) {
      document.querySelectorAll("input[name='tickets']").forEach((b) => { b.checked = box.checked; });
    }
  });
});

// A second submit of the same form while the first is under way is ignored.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.submitting === "1" && !form.hasAttribute("hx-post")) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  setTimeout(() => { form.dataset.submitting = ""; }, 5000);
});

// Live queue: the poll asks only for cases newer than the newest row shown (its keyset
// position is in data-cursor); with no rows, the position the page was rendered at is used.
document.addEventListener("htmx:configRequest", (event) => {
  const poller = event.detail.elt;
  if (!poller.matches || !poller.matches("[data-live-queue]")) return;
  const newest = document.querySelector("#queue-rows tr[data-cursor]");
  if (newest) event.detail.parameters.since = newest.dataset.cursor;
});

// After new rows arrive on top, drop the older copy of a case that moved up, and the
// "no cases" line.
document.addEventListener("htmx:afterSwap", (event) => {
  const rows = event.detail.target;
  if (!rows || rows.id !== "queue-rows") return;
  const seen = new Set();
  const ticked = new Set();
  rows.querySelectorAll("tr[data-case]").forEach((row) => {
    if (!seen.has(row.dataset.case)) { seen.add(row.dataset.case); return; }
    const box = row.querySelector("input[name='tickets']");
    if (box && box.checked) ticked.add(row.dataset.case);
    row.remove();
  });
  // A ticked case that moved up stays ticked.
  ticked.forEach((number) => {
    const box = rows.querySelector(`tr[data-case="${CSS.escape(number)}"] input[name='tickets']`);
    if (box) box.checked = true;
  });
  const empty = document.getElementById("queue-empty");
  if (empty) empty.remove();
});

// @mentions in the internal-note box: typing "@" and a few letters lists colleagues who may
// see the case (data-mentions is their URL); a choice writes "@username ".
(() => {
  let list = null;
  let active = 0;
  let timer = null;

  function close() { if (list) { list.remove(); list = null; } }

  function partial(area) {
    const before = area.value.slice(0, area.selectionStart);
    const match = before.match(/(^|[\s(,;])@([\w.+-]*)$/u);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function choose(area, username) {
    const found = partial(area);
    if (!found) return close();
    const after = area.value.slice(area.selectionStart);
    const insert = `@${username} `;
    area.value = area.value.slice(0, found.start) + insert + after;
    const caret = found.start + insert.length;
    area.setSelectionRange(caret, caret);
    close();
    area.focus();
  }

  function highlight() {
    if (!list) return;
    list.querySelectorAll("li").forEach((item, i) => {
      item.classList.toggle("active", i === active);
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
  }

  function show(area, people) {
    close();
    if (!people.length) return;
    list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    people.forEach((person) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.username = person.username;
      item.textContent = `${person.name} (@${person.username})`;
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(area, person.username); });
      list.appendChild(item);
    });
    active = 0;
    area.insertAdjacentElement("afterend", list);
    highlight();
  }

  document.addEventListener("input", (event) => {
    const area = event.target;
    if (!area.matches || !area.matches("textarea[data-mentions]")) return;
    const found = partial(area);
    clearTimeout(timer);
    if (!found) return close();
    timer = setTimeout(async () => {
      const response = await fetch(`${area.dataset.mentions}?q=${encodeURIComponent(found.query)}`,
                                   { headers: { Accept: "application/json" } });
      if (response.ok) show(area, (await response.json()).people);
    }, 150);
  });

  document.addEventListener("keydown", (event) => {
    const area = event.target;
    if (!list || !area.matches || !area.matches("textarea[data-mentions]")) return;
    const items = list.querySelectorAll("li");
    if (event.key === "ArrowDown") { active = (active + 1) % items.length; highlight(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; highlight(); event.preventDefault(); }
    else if (event.key === "Enter" || event.key === "Tab") { choose(area, items[active].dataset.username); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
  });

  document.addEventListener("focusout", (event) => {
    if (event.target.matches && event.target.matches("textarea[data-mentions]")) setTimeout(close, 150);
  });
})();

// Side-column boxes of the case view fold; each stays as the agent left it (per browser).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details[data-remember]").forEach((box) => {
    const key = `anliegen:${box.dataset.remember}`;
    const saved = localStorage.getItem(key);
    if (saved === "closed") box.open = false;
    if (saved === "open") box.open = true;
    box.addEventListener("toggle", () => localStorage.setItem(key, box.open ? "open" : "closed"));
  });
});
