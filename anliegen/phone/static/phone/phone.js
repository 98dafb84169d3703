// Reception's call form: keyboard shortcuts and the agent list that follows the chosen team.
// Loaded with CSP script-src 'self'; no inline handlers.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  const form = field.closest && field.closest("form[data-ctrl-enter-submits]");
  if (!form || field.tagName !== "TEXTAREA") return;
  event.preventDefault();
  form.requestSubmit();
});

function followTeam(form) {
  const team = form.querySelector("select[name=team]");
  const agent = form.querySelector("select[name=assignee]");
  if (!team || !agent) return;
  const name = team.value ? team.options[team.selectedIndex].text : "";
  agent.querySelectorAll("optgroup").forEach((group) => {
    group.hidden = Boolean(name) && group.label !== name;
    group.disabled = group.hidden;
  });
  const chosen = agent.options[agent.selectedIndex];
  if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.hidden) agent.value = "";
}

document.addEventListener("change", (event) => {
  if (event.target.matches("#call-form select[name=team]")) followTeam(event.target.form);
});
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("call-form");
  if (!form) return;
  followTeam(form);
  // After a refused submit, put the cursor where the first problem is.
  const error = form.querySelector(".errorlist, .field-error");
  const box = error && (error.closest(".field") || error.parentElement);
  const field = box && box.querySelector("input:not([type=hidden]), select, textarea");
  if (field) field.focus();
});

// "in 1 hour", "tomorrow 9:00": the server renders the exact values (in its time zone, which is
// how it reads the field back), the button copies one into the field.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-value][data-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.target);
  if (!field) return;
  field.value = button.dataset.value;
  field.focus();
});
