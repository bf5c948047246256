// What can be followed with no network, and what cannot (issue 14). On every page, and again
// whenever the network comes or goes.
//
// With no network the service worker (sw.js) answers a page from the device: a kept visit pack,
// or the offline page, which offline.js fills from the device's copy for the addresses below.
// Anything else (the rest of the site, a download such as the visit pack's PDF, another site, a
// form posting to the server such as Sign out) would end in a browser error or in a page that is
// not what the link says. While the device is offline each of those is marked "not available
// offline" and cannot be used; back online it is as the server sent it. Online, and without
// JavaScript, nothing changes.

//: The site's addresses the device answers with no network: offline.js's views of the copy, and
//: the kept visit packs. "/" and "/schools" are the offline copy's home (its search, your schools).
const ANSWERED = [
  /^\/$/,
  /^\/offline$/,
  /^\/directory$/,
  /^\/directory\/listings\/\d+$/,
  /^\/l\/[A-Za-z0-9]+$/,
  /^\/schools$/,
  /^\/schools\/\d+(\/visit-pack)?$/,
];
const NOTE = " – not available offline";
const MARKED = "offlineUnavailable";

/** Say whether the device can answer `address` (a link's or a GET form's) with no network. */
function answered(address) {
  const url = new URL(address, window.location.href);
  // A mail or phone link opens an app on the device; a place on this page needs nothing.
  if (url.protocol === "mailto:" || url.protocol === "tel:") return true;
  if (url.origin !== window.location.origin) return false;
  const here = new URL(window.location.href);
  if (url.hash && url.pathname === here.pathname && url.search === here.search) return true;
  return ANSWERED.some((pattern) => pattern.test(url.pathname));
}

function note() {
  const span = document.createElement("span");
  span.className = "app-offline-note";
  span.textContent = NOTE;
  return span;
}

function mark(el) {
  el.classList.add("app-offline-unavailable");
  el.append(note());
  if (el.tagName === "A") {
    // Without its address a link is text: nothing to follow, nor to tab to.
    el.dataset[MARKED] = el.getAttribute("href");
    el.removeAttribute("href");
  } else {
    el.dataset[MARKED] = "";
    el.disabled = true;
  }
}

function unmark(el) {
  if (el.tagName === "A") el.setAttribute("href", el.dataset[MARKED]);
  else el.disabled = false;
  delete el.dataset[MARKED];
  el.classList.remove("app-offline-unavailable");
  for (const span of el.querySelectorAll(":scope > .app-offline-note")) span.remove();
}

/** Mark what needs the network in `root` while the device is offline; put it back once online. */
export function reflectNetwork(root = document) {
  if (navigator.onLine) {
    for (const el of root.querySelectorAll("[data-offline-unavailable]")) unmark(el);
    return;
  }
  for (const a of root.querySelectorAll("a[href]")) {
    if (a.hasAttribute("download") || !answered(a.getAttribute("href"))) mark(a);
  }
  for (const form of root.querySelectorAll("form")) {
    // The service worker answers GET requests only: a POST needs the server.
    if (form.method === "get" && answered(form.action)) continue;
    for (const button of form.querySelectorAll("button:not([type=button])")) {
      if (!(MARKED in button.dataset)) mark(button);
    }
  }
}

reflectNetwork();
window.addEventListener("offline", () => reflectNetwork());
window.addEventListener("online", () => reflectNetwork());
