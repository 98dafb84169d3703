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
