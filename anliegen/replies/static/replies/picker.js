// The standard-reply picker in the case view (replies/_panel.html), loaded by htmx with the
// panel. CSP allows scripts from 'self' only, so behaviour lives here, not in attributes.
// Listeners are delegated from the document and installed once, however often the panel loads.
(() => {
  if (window.anliegenReplyPicker) return;
  window.anliegenReplyPicker = true;

  const visibleItems = (picker) =>
    Array.from(picker.querySelectorAll(".picker-item")).filter((item) => !item.hidden);

  const setActive = (picker, item) => {
    picker.querySelectorAll(".picker-item.active").forEach((el) => {
      el.classList.remove("active");
      el.setAttribute("aria-selected", "false");
    });
    const search = picker.querySelector("[data-picker-search]");
    if (!item) {
      search.removeAttribute("aria-activedescendant");
      return;
    }
    item.classList.add("active");
    item.setAttribute("aria-selected", "true");
    search.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  };

  const filter = (picker) => {
    const words = picker.querySelector("[data-picker-search]").value.toLowerCase().split(/\s+/).filter(Boolean);
    picker.querySelectorAll(".picker-item").forEach((item) => {
      const haystack = `${item.dataset.search} ${item.textContent.toLowerCase()}`;
      item.hidden = !words.every((w) => haystack.includes(w));
    });
    const items = visibleItems(picker);
    picker.querySelector("[data-picker-empty]").hidden = items.length > 0;
    setActive(picker, items[0] || null);
  };

  const showList = (picker, show) => {
    picker.querySelector("[data-picker-list]").hidden = !show;
    if (show) picker.querySelector("[data-picker-preview]").innerHTML = "";
  };

  const preview = async (picker, item) => {
    const box = picker.querySelector("[data-picker-preview]");
    const response = await fetch(item.dataset.previewUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (!response.ok) {
      box.textContent = `${response.status} ${response.statusText}`;
      return;
    }
    box.innerHTML = await response.text(); // server-rendered, escaped by Django templates
    box.dataset.pickUrl = item.dataset.pickUrl;
    box.dataset.via = item.dataset.via || "picker";
    showList(picker, false);
    const insert = box.querySelector("[data-picker-insert]") || box.querySelector("[data-picker-cancel]");
    if (insert) insert.focus();
  };

  const insertText = (picker) => {
    const box = picker.querySelector("[data-picker-preview]");
    const text = box.querySelector("[data-picker-text]").textContent;
    const chosen = box.querySelector("[data-picker-chosen]");
    const area = document.getElementById("id_reply_text");
    if (!area) return;
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? area.value.length;
    const before = area.value.slice(0, start);
    const after = area.value.slice(end);
    const glue = before && !before.endsWith("\n") ? "\n\n" : "";
    area.value = `${before}${glue}${text}${after}`;
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    area.selectionStart = area.selectionEnd = (before + glue + text).length;
    // Remember the choice: suggestions learn from it.
    const body = new URLSearchParams({ language: chosen ? chosen.dataset.language : "", via: box.dataset.via || "picker" });
    fetch(box.dataset.pickUrl, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": picker.dataset.csrf, "Content-Type": "application/x-www-form-urlencoded" },
    }).catch(() => {});
    box.innerHTML = "";
    showList(picker, true);
  };

  document.addEventListener("input", (event) => {
    const picker = event.target.closest("[data-reply-picker]");
    if (picker && event.target.matches("[data-picker-search]")) {
      showList(picker, true);
      filter(picker);
    }
  });

  document.addEventListener("focusin", (event) => {
    const picker = event.target.closest("[data-reply-picker]");
    if (picker && event.target.matches("[data-picker-search]") && !picker.querySelector(".picker-item.active")) {
      setActive(picker, visibleItems(picker)[0] || null);
    }
  });

  document.addEventListener("keydown", (event) => {
    const picker = event.target.closest("[data-reply-picker]");
    if (!picker) return;
    if (event.target.matches("[data-picker-search]")) {
      const items = visibleItems(picker);
      const current = items.indexOf(picker.querySelector(".picker-item.active"));
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        showList(picker, true);
        if (!items.length) return;
        const next = event.key === "ArrowDown" ? Math.min(current + 1, items.length - 1) : Math.max(current - 1, 0);
        setActive(picker, items[next]);
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submit a form from the search box
        const item = items[current] || items[0];
        if (item) preview(picker, item);
      } else if (event.key === "Escape") {
        event.target.value = "";
        showList(picker, true);
        filter(picker);
      }
    } else if (event.key === "Escape" && picker.querySelector("[data-picker-chosen]")) {
      picker.querySelector("[data-picker-preview]").innerHTML = "";
      showList(picker, true);
      picker.querySelector("[data-picker-search]").focus();
    }
  });

  document.addEventListener("click", (event) => {
    const picker = event.target.closest("[data-reply-picker]");
    if (!picker) return;
    const item = event.target.closest(".picker-item");
    if (item) {
      setActive(picker, item);
      preview(picker, item);
    } else if (event.target.closest("[data-picker-insert]")) {
      insertText(picker);
    } else if (event.target.closest("[data-picker-cancel]")) {
      picker.querySelector("[data-picker-preview]").innerHTML = "";
      showList(picker, true);
      picker.querySelector("[data-picker-search]").focus();
    }
  });
})();
