// Live regions exist in the page from load; to (re)announce, clear then set ~100 ms later.
// The last text announced is kept so the trainee can ask for it again (docs/announcements.md).
let lastAnnounced = "";

export function announce(region, text) {
  if (!region || !text) return;
  lastAnnounced = text;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 120);
}

export function lastAnnouncement() {
  return lastAnnounced;
}

export function csrfToken() {
  const field = document.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

export async function postForm(form, submitter) {
  const data = new FormData(form);
  if (submitter && submitter.name) data.append(submitter.name, submitter.value);
  const response = await fetch(form.action, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch", Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  let payload = {};
  try { payload = await response.json(); } catch (_error) { payload = {}; }
  return { status: response.status, payload };
}
