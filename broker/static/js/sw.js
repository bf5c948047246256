// The service worker (served at /sw.js, scope "/"): the offline page and the site's assets for
// when there is no network, and the SIP's visit packs that store.js kept in PRIVATE.
//
// Online, every page comes from the network as before (pages are never kept: they may be a
// signed-in user's). With no network, a page the device kept (a visit pack) is shown, and any
// other page gets the offline page, which shows what it can from the device's copy; on either,
// offline-links.js marks the links these cannot answer as not available offline.
const SHELL = "broker-shell-v2";
const PRIVATE = "broker-private";
const OFFLINE_PAGE = "/offline";
const SHELL_FILES = [
  OFFLINE_PAGE,
  "/assets/build/app.css",
  "/assets/build/govuk-frontend.min.js",
  "/assets/build/minisearch.js",
  "/assets/js/init.js",
  "/assets/js/app.js",
  "/assets/js/device.js",
  "/assets/js/store.js",
  "/assets/js/offline.js",
  "/assets/js/offline-links.js",
  "/assets/images/favicon.svg",
  "/assets/manifest.json",
  "/visit-pack-assets/visit-pack.css",
];
// Files that change only with a release: kept, and refreshed from the network when online.
const ASSET_PREFIXES = ["/assets/", "/visit-pack-assets/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("broker-shell-") && k !== SHELL).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function offlineAnswer(request) {
  const kept = await caches.open(PRIVATE).then((c) => c.match(request, { ignoreVary: true }));
  if (kept) return kept;
  const shell = await caches.open(SHELL);
  const page = await shell.match(OFFLINE_PAGE, { ignoreSearch: true, ignoreVary: true });
  return page || Response.error();
}

async function asset(request) {
  const shell = await caches.open(SHELL);
  const kept = await shell.match(request, { ignoreVary: true });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) shell.put(request, response.clone());
      return response;
    })
    .catch(() => null);
  if (kept) return kept;
  return (await fresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          // The offline page names no one: keep the newest one seen.
          if (url.pathname === OFFLINE_PAGE && response.ok) {
            const copy = response.clone();
            caches.open(SHELL).then((cache) => cache.put(OFFLINE_PAGE, copy));
          }
          return response;
        })
        .catch(() => offlineAnswer(request)),
    );
  } else if (ASSET_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(asset(request));
  }
});
