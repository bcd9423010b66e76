// Every page: read flash notices into the live region, then load the console when present.
import { announce } from "./live.js";

function announceNotices() {
  const region = document.getElementById("page-status");
  const notices = [...document.querySelectorAll("[data-announce]")].map((n) => n.textContent.trim());
  if (notices.length) announce(region, notices.join(" "));
}

if (document.body.hasAttribute("data-console")) {
  import("./console.js").then((module) => module.start());
} else {
  announceNotices();
  if (document.body.hasAttribute("data-replay")) {
    import("./replay.js").then((module) => module.start());
  }
}
