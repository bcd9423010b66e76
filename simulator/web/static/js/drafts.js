// Drafts survive Esc and reloads: what the trainee types in the reply field or in a panel's form
// is kept in this tab (sessionStorage) until it is sent or the trainee clears it, so closing a
// panel with Esc to answer a ring loses nothing half-written.
const SKIP = new Set(["hidden", "submit", "button", "password"]);

function keyOf(attempt, form) {
  return `centralino-draft-${attempt}-${form.id || "form"}`;
}

function fieldsOf(form) {
  return [...form.elements].filter((el) => el.name && !SKIP.has(el.type) && el.name !== "csrf_token");
}

function save(attempt, form) {
  const values = {};
  let any = false;
  for (const el of fieldsOf(form)) {
    if (el.type === "radio" || el.type === "checkbox") {
      if (el.checked) values[`${el.name}=${el.value}`] = true;
    } else {
      values[el.name] = el.value;
      if (el.value.trim()) any = true;
    }
  }
  try {
    if (any) window.sessionStorage.setItem(keyOf(attempt, form), JSON.stringify(values));
    else window.sessionStorage.removeItem(keyOf(attempt, form));
  } catch (_error) { /* storage full or off: drafts are a convenience */ }
}

function restore(attempt, form) {
  let values = null;
  try { values = JSON.parse(window.sessionStorage.getItem(keyOf(attempt, form)) || "null"); } catch (_error) { values = null; }
  if (!values) return;
  for (const el of fieldsOf(form)) {
    if (el.type === "radio" || el.type === "checkbox") {
      if (`${el.name}=${el.value}` in values) el.checked = true;
    } else if (el.name in values && !el.value) {
      el.value = values[el.name]; // what the server filled in (after an error) wins
    }
  }
}

/** Keep drafts of the reply form and of the open panel's forms. */
export function initDrafts(attempt) {
  const forms = [...document.querySelectorAll("#tool-panel form[method=post], form.reply-form")];
  forms.forEach((form, index) => {
    if (!form.id) form.id = `draft-form-${index}`;
    restore(attempt, form);
    form.addEventListener("input", () => save(attempt, form));
    form.addEventListener("change", () => save(attempt, form));
    form.addEventListener("submit", () => dropDraft(attempt, form));
  });
}

/** A form was sent and accepted (or the trainee emptied it): its draft goes. */
export function dropDraft(attempt, form) {
  try { window.sessionStorage.removeItem(keyOf(attempt, form)); } catch (_error) { /* ignore */ }
}
