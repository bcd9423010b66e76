// WAI-ARIA combobox with a listbox popup over the directory search (fuzzy on the server).
// Without JavaScript the same field is a plain text box with a "Cerca in rubrica" button.
import { announce } from "./live.js";

export function initCombobox(input, url, statusRegion) {
  const listbox = document.getElementById(input.dataset.combobox);
  if (!listbox) return;
  const form = input.form;
  const target = document.createElement("input");
  target.type = "hidden";
  target.name = "target";
  target.id = `${input.id}-target`;
  form.append(target);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  let options = [];
  let active = -1;
  let timer = 0;
  let requestNo = 0;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(index) {
    const option = options[index];
    if (!option) return;
    input.value = option.dataset.label;
    target.value = option.dataset.id;
    close();
    announce(statusRegion, option.dataset.label);
  }

  function render(hits) {
    listbox.textContent = "";
    options = hits.map((hit, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = `${listbox.id}-opt-${i + 1}`;
      li.dataset.id = hit.id;
      li.dataset.label = hit.label;
      li.textContent = hit.label;
      li.setAttribute("aria-selected", "false");
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      listbox.append(li);
      return li;
    });
    if (options.length) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
    const count = options.length;
    announce(statusRegion, count === 1 ? `1 ${document.documentElement.lang === "en" ? "result" : "risultato"}`
      : `${count} ${document.documentElement.lang === "en" ? "results" : "risultati"}`);
  }

  async function search() {
    const query = input.value.trim();
    if (query.length < 2) { close(); return; }
    const mine = ++requestNo;
    const response = await fetch(`${url}?q=${encodeURIComponent(query)}&record=1`, {
      credentials: "same-origin", headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    });
    if (!response.ok || mine !== requestNo) return;
    const data = await response.json();
    render(data.hits || []);
  }

  input.addEventListener("input", () => {
    target.value = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 350);
  });
  input.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const open = !listbox.hidden && options.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { search(); return; }
      highlight(Math.min(active + 1, options.length - 1));
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 150));
}
