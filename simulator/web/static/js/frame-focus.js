// Inside a platform's iframe (an LTI launch) browsers ignore `autofocus` when the frame is
// cross-origin. Give the field the focus the page asks for, as it gets at top level, so the
// keyboard path is the same in the frame and in a window.
if (window.top !== window.self) {
  const wanted = document.querySelector("[autofocus]");
  const idle = !document.activeElement || document.activeElement === document.body;
  if (wanted && idle) wanted.focus();
}
