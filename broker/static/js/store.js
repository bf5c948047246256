// The device's offline copy (issue 14): IndexedDB for a SIP's directory, schools and drafts, and
// Cache Storage for their schools' visit packs. Shared by device.js (every page) and offline.js.
//
// What is kept, and for whom:
// - "bundles": the public directory of each of the SIP's LAs (/offline/directory/<LA>.json);
// - "schools" and the PRIVATE cache: the SIP's own schools and visit packs (confidential);
// - "drafts": visit notes and priorities typed offline, sealed with a key the server gives the
//   signed-in SIP only (AES-GCM), until they are sent (/offline/drafts) and saved or returned.
// Signing out deletes all of it. A page seen by anyone else (another user, or nobody signed in,
// say when the session timed out) deletes everything but the sealed drafts, which without the
// key are unreadable: the same SIP signing in again gets the key back and sends them.

export const DB_NAME = "broker-offline";
export const PRIVATE_CACHE = "broker-private";
const STORES = ["meta", "bundles", "schools", "drafts"];
//: How long a copy is used before it is brought up to date on the next page (when online).
export const STALE_AFTER_MS = 10 * 60 * 1000;

let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function exists() {
  if (!("indexedDB" in window)) return false;
  if (opened) return true;
  if (typeof indexedDB.databases !== "function") return true;
  const names = (await indexedDB.databases()).map((d) => d.name);
  return names.includes(DB_NAME);
}

export function open() {
  if (opened) return opened;
  opened = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("meta", { keyPath: "name" });
      db.createObjectStore("bundles", { keyPath: "code" });
      db.createObjectStore("schools", { keyPath: "id" });
      db.createObjectStore("drafts", { keyPath: "key" });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab deleting the copy (signing out) must not wait for this one.
      db.onversionchange = () => {
        db.close();
        opened = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function tx(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const result = fn(t.objectStore(store));
    t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export const get = (store, key) => tx(store, "readonly", (s) => s.get(key));
export const all = (store) => tx(store, "readonly", (s) => s.getAll());
export const put = (store, value) => tx(store, "readwrite", (s) => s.put(value));
export const remove = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
export const clear = (store) => tx(store, "readwrite", (s) => s.clear());

export async function getMeta(name) {
  const row = await get("meta", name);
  return row ? row.value : undefined;
}

export const setMeta = (name, value) => put("meta", { name, value });

// --- clearing ---------------------------------------------------------------------------------

/** Delete everything the device keeps: the database and the visit packs (at sign-out). */
export async function wipeAll() {
  if ("caches" in window) await caches.delete(PRIVATE_CACHE);
  if (opened) {
    (await opened).close();
    opened = null;
  }
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Keep nothing readable for a page that is not the owner's: only the sealed, unsent drafts. */
export async function forgetForOthers() {
  if ("caches" in window) await caches.delete(PRIVATE_CACHE);
  if (!(await exists())) return;
  const waiting = (await all("drafts")).filter((d) => d.status === "waiting" && d.sealed);
  const owner = await getMeta("owner");
  if (!waiting.length) return wipeAll();
  for (const store of ["meta", "bundles", "schools", "drafts"]) await clear(store);
  await setMeta("owner", owner);
  for (const draft of waiting) await put("drafts", draft);
}

// --- sealing drafts -----------------------------------------------------------------------------

function bytes(base64) {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function secret() {
  return getMeta("secret");
}

export async function seal(fields) {
  const key = await secret();
  if (!key) throw new Error("This device has no key for drafts: bring the copy up to date first");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(fields));
  return { iv, sealed: await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data) };
}

export async function unseal(draft) {
  const key = await secret();
  if (!key || !draft.sealed) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: draft.iv }, key, draft.sealed);
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return null;
  }
}

// --- bringing the copy up to date ---------------------------------------------------------------

async function fetchJson(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    redirect: "manual",
    cache: "no-store",
    ...options,
    headers: { Accept: "application/json", ...(options.headers || {}) },
  });
  return response;
}

/** Take the SIP's bundle: start afresh if it is someone else's device copy. */
async function adopt(mine) {
  const owner = await getMeta("owner");
  if (owner !== undefined && owner !== mine.user.id) {
    await wipeAll();
  }
  await setMeta("owner", mine.user.id);
  const key = await crypto.subtle.importKey(
    "raw",
    bytes(mine.draft_secret),
    { name: "AES-GCM" },
    false,
    ["encrypt", "decrypt"],
  );
  await setMeta("secret", key);
  const { csrf_token: _token, draft_secret: _secret, schools, ...me } = mine;
  await setMeta("me", me);
  await clear("schools");
  for (const school of schools) await put("schools", school);
}

async function keepVisitPacks(schools) {
  if (!("caches" in window)) return;
  await caches.delete(PRIVATE_CACHE);
  const cache = await caches.open(PRIVATE_CACHE);
  for (const school of schools) {
    try {
      const response = await fetch(school.visit_pack, { credentials: "same-origin", redirect: "manual" });
      if (response.ok) await cache.put(school.visit_pack, response);
    } catch {
      // The network went while preparing: the rest is kept next time.
    }
  }
}

async function keepDirectory(las) {
  const wanted = new Set(las.map((la) => la.code));
  for (const kept of await all("bundles")) {
    if (!wanted.has(kept.code)) await remove("bundles", kept.code);
  }
  for (const la of las) {
    const kept = await get("bundles", la.code);
    const headers = kept && kept.etag ? { "If-None-Match": kept.etag } : {};
    const response = await fetchJson(`/offline/directory/${encodeURIComponent(la.code)}.json`, {
      headers,
      cache: "no-cache",
    });
    if (response.status === 304) {
      await response.arrayBuffer(); // Read to the end, so the request ends as it should.
      continue;
    }
    if (!response.ok) throw new Error(`The directory of ${la.name} could not be fetched`);
    const bundle = await response.json();
    await put("bundles", { code: la.code, etag: response.headers.get("ETag"), bundle });
  }
}

/**
 * Bring the device's copy up to date (a SIP signed in, online). Returns what happened:
 * {ok: true} or {ok: false, reason: "offline" | "signed-out" | "not-sip" | "network" | "server"}.
 */
export async function refresh() {
  if (!navigator.onLine) return { ok: false, reason: "offline" };
  let response;
  try {
    response = await fetchJson("/offline/mine.json");
  } catch {
    return { ok: false, reason: "network" };
  }
  if (response.type === "opaqueredirect" || response.status === 401) {
    await forgetForOthers();
    return { ok: false, reason: "signed-out" };
  }
  if (response.status === 403) {
    await wipeAll();
    return { ok: false, reason: "not-sip" };
  }
  if (!response.ok) return { ok: false, reason: "server" };
  const mine = await response.json();
  try {
    await adopt(mine);
    await keepDirectory(mine.las);
    await keepVisitPacks(mine.schools);
  } catch {
    return { ok: false, reason: "network" };
  }
  await setMeta("updated_at", new Date().toISOString());
  await syncDrafts(mine.csrf_token);
  return { ok: true };
}

export async function isStale() {
  const updated = await getMeta("updated_at");
  return !updated || Date.now() - Date.parse(updated) > STALE_AFTER_MS;
}

// --- drafts ------------------------------------------------------------------------------------

/** Keep a new draft (or a corrected one) on the device, sealed; it waits to be sent. */
export async function saveDraft({ key, kind, school_id, fields, visit_key }) {
  const owner = await getMeta("owner");
  const previous = key ? await get("drafts", key) : null;
  const draft = {
    key: key || crypto.randomUUID(),
    owner,
    kind,
    school_id,
    visit_key: visit_key || (previous && previous.visit_key) || null,
    created_at: previous ? previous.created_at : new Date().toISOString(),
    status: "waiting",
    ...(await seal(fields)),
  };
  await put("drafts", draft);
  return draft;
}

let syncing = null;

/** Send the waiting drafts, oldest first; each is saved or returned with the server's reason. */
export function syncDrafts(csrf) {
  if (!syncing) {
    syncing = send(csrf).finally(() => {
      syncing = null;
    });
  }
  return syncing;
}

async function send(csrf) {
  if (!navigator.onLine || !(await exists())) return;
  const owner = await getMeta("owner");
  const waiting = (await all("drafts"))
    .filter((d) => d.status === "waiting" && d.owner === owner)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (!waiting.length) return;
  if (!csrf) {
    const response = await fetchJson("/offline/mine.json").catch(() => null);
    if (!response || !response.ok) return;
    csrf = (await response.json()).csrf_token;
  }
  for (const draft of waiting) {
    const fields = await unseal(draft);
    if (!fields) continue;
    const body = { key: draft.key, kind: draft.kind, school_id: draft.school_id, ...fields };
    if (draft.visit_key) body.visit_key = draft.visit_key;
    let response;
    try {
      response = await fetch("/offline/drafts", {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      });
    } catch {
      return; // The network went: the rest wait for the next time.
    }
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    if (response.type === "opaqueredirect" || !isJson || response.status >= 500 || response.status === 409) {
      return; // Signed out, an expired form token or a server problem: try again later.
    }
    const answer = await response.json();
    if (answer.status === "saved") {
      Object.assign(draft, { status: "saved", url: answer.url, saved_at: new Date().toISOString() });
    } else {
      Object.assign(draft, { status: "returned", reason: answer.message, field: answer.field || "" });
    }
    await put("drafts", draft);
  }
  document.dispatchEvent(new CustomEvent("broker:drafts-sent"));
}
