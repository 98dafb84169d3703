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
