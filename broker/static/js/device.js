// On every page: keep the device's offline copy for the SIP it belongs to, and for no one else
// (see store.js). The page says who it is for in <meta name="broker-device">.
import * as store from "/assets/js/store.js";

const who = (document.querySelector('meta[name="broker-device"]') || {}).content || "anonymous";

async function forSip(id) {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  const owner = (await store.exists()) ? await store.getMeta("owner") : undefined;
  if (owner !== undefined && owner !== id) await store.wipeAll();
  if (await store.isStale()) {
    await store.refresh();
  } else {
    await store.syncDrafts();
  }
  document.documentElement.dataset.offlineReady = "true";
}

function guardSignOut() {
  for (const form of document.querySelectorAll('form[action="/sign-out"]')) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      await store.syncDrafts().catch(() => {});
      const unsent = (await store.exists())
        ? (await store.all("drafts")).filter((d) => d.status === "waiting").length
        : 0;
      if (
        unsent &&
        !window.confirm(
          `${unsent} draft${unsent === 1 ? " has" : "s have"} not been sent yet. ` +
            "Signing out deletes them from this device. Sign out anyway?",
        )
      ) {
        return;
      }
      await store.wipeAll();
      form.dataset.cleared = "true";
      form.submit();
    });
  }
}

async function start() {
  if (!("indexedDB" in window)) return;
  guardSignOut();
  if (who === "offline-page") return; // offline.js looks after it.
  if (who.startsWith("sip:")) {
    const id = Number(who.slice(4));
    await forSip(id);
    window.addEventListener("online", () => store.refresh());
  } else if (await store.exists()) {
    // Signed in as someone else, or not at all: nothing readable is kept for them.
    if (who === "anonymous") await store.forgetForOthers();
    else await store.wipeAll();
  }
  if (!who.startsWith("sip:") && "caches" in window) await caches.delete(store.PRIVATE_CACHE);
}

start();
