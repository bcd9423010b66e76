// Quiet polling: the parts of the console that the poll refreshes (lines, busy lamp) are patched
// in place, text and attributes, never re-rendered. A screen reader then hears nothing while
// nothing changes, and the element that has focus stays the same node (no focus event, the
// browse cursor keeps its place). Per-request tokens (the CSRF field) are left out of the
// comparison: they change on every response and mean nothing to the trainee.

const TOKEN_FIELD = /<input[^>]*name="csrf_token"[^>]*>/g;

/** The HTML with per-request tokens taken out, for "has anything changed?". */
export function contentKey(html) {
  return html.replace(TOKEN_FIELD, "").trim();
}

function isTokenField(node) {
  return node.nodeType === Node.ELEMENT_NODE && node.getAttribute("name") === "csrf_token";
}

function sameKind(a, b) {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  return a.nodeType !== Node.ELEMENT_NODE || a.id === b.id;
}

function syncAttributes(old, fresh) {
  if (isTokenField(old)) return; // the token the page holds stays valid; leave it alone
  for (const { name } of [...old.attributes]) {
    if (!fresh.hasAttribute(name)) old.removeAttribute(name);
  }
  for (const { name, value } of [...fresh.attributes]) {
    if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  }
}

function morphNode(old, fresh) {
  if (old.nodeType === Node.TEXT_NODE || old.nodeType === Node.COMMENT_NODE) {
    if (old.nodeValue !== fresh.nodeValue) old.nodeValue = fresh.nodeValue;
    return;
  }
  if (old.nodeType !== Node.ELEMENT_NODE) return;
  syncAttributes(old, fresh);
  morphChildren(old, fresh);
}

function morphChildren(oldParent, freshParent) {
  const fresh = [...freshParent.childNodes];
  fresh.forEach((next, index) => {
    const current = oldParent.childNodes[index];
    if (!current) oldParent.append(next);
    else if (sameKind(current, next)) morphNode(current, next);
    else current.replaceWith(next);
  });
  while (oldParent.childNodes.length > fresh.length) oldParent.lastChild.remove();
}

/**
 * Make `container`'s children match `html`, changing only what differs.
 * Returns the id of the element that had focus when it was removed (a button whose action is
 * no longer possible), so the caller can move focus somewhere sensible; otherwise null.
 */
export function patchChildren(container, html) {
  const focused = document.activeElement;
  const hadFocus = focused && focused !== document.body && container.contains(focused);
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  morphChildren(container, tpl.content);
  if (!hadFocus || container.contains(focused)) return null;
  return focused.id || "";
}
