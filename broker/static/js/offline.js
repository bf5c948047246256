// The offline page (/offline, and any page asked for with no network): the directory, schools,
// visit packs and drafts kept on this device (store.js), searched with MiniSearch using the
// server's own analysis (index/analysis.py's device_vocabulary, in each directory bundle).
//
// Everything is built with DOM calls and textContent: no text from the copy is ever parsed as HTML.
import MiniSearch from "/assets/build/minisearch.js";
import * as store from "/assets/js/store.js";
import { reflectNetwork } from "/assets/js/offline-links.js";

const app = document.getElementById("offline-app");
const PER_PAGE = 20;
//: Most words of a quoted phrase read (index/querying.py's MAX_PHRASE).
const MAX_PHRASE = 8;

// --- building the page ---------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const link = (href, text, cls = "govuk-link") => h("a", { class: cls, href }, text);
const para = (text, cls = "govuk-body") => h("p", { class: cls }, text);

function when(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  return d.toLocaleString("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

function day(iso) {
  const d = new Date(`${iso}T12:00:00`);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
}

function summaryList(rows) {
  return h(
    "dl",
    { class: "govuk-summary-list" },
    rows
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([key, value]) =>
        h("div", { class: "govuk-summary-list__row" }, h("dt", { class: "govuk-summary-list__key" }, key), h("dd", { class: "govuk-summary-list__value" }, value)),
      ),
  );
}

function tag(text, colour) {
  return h("strong", { class: `govuk-tag govuk-tag--${colour}` }, text);
}

function banner(title, text, success = true) {
  return h(
    "div",
    {
      class: `govuk-notification-banner${success ? " govuk-notification-banner--success" : ""}`,
      role: success ? "alert" : "region",
      "aria-labelledby": "offline-banner-title",
    },
    h("div", { class: "govuk-notification-banner__header" }, h("h2", { class: "govuk-notification-banner__title", id: "offline-banner-title" }, success ? "Success" : "Important")),
    h("div", { class: "govuk-notification-banner__content" }, h("p", { class: "govuk-notification-banner__heading" }, title), text ? para(text) : null),
  );
}

function show(title, ...content) {
  document.title = `${title} – ${document.title.split(" – ").slice(-1)[0]}`;
  app.replaceChildren(...content.flat().filter(Boolean));
  // A saved draft's "View it", say, is a page of the site: not available with no network.
  reflectNetwork(app);
}

// --- the device's copy ---------------------------------------------------------------------------

async function loadCopy() {
  if (!(await store.exists())) return null;
  const me = await store.getMeta("me");
  if (!me) return null;
  const bundles = (await store.all("bundles")).map((b) => b.bundle);
  const schools = (await store.all("schools")).sort((a, b) => a.name.localeCompare(b.name));
  const drafts = (await store.all("drafts")).sort((a, b) => a.created_at.localeCompare(b.created_at));
  return { me, bundles, schools, drafts, updated: await store.getMeta("updated_at") };
}

function analyser(bundles) {
  const vocabulary = bundles[0].vocabulary;
  const stems = Object.assign({}, ...bundles.map((b) => b.vocabulary.stems));
  const stop = new Set(vocabulary.stop_words);
  const pattern = new RegExp(vocabulary.token, "gu");
  const fold = (word) => {
    const lower = word.toLowerCase();
    return /^[\x00-\x7f]*$/.test(lower) ? lower : lower.normalize("NFKD").replace(/\p{M}/gu, "");
  };
  const term = (raw) => {
    const word = fold(raw);
    if (stop.has(word) || word.length > vocabulary.max_token) return null;
    return stems[word] || word;
  };
  const words = (text) => text.match(pattern) || [];
  return { term, words, terms: (text) => words(text).map(term).filter(Boolean), synonyms: vocabulary.synonyms };
}

/** The text of a searched field of a listing (the index's provider_name is its provider). */
const fieldText = (listing, name) => (name === "provider_name" ? listing.provider : listing[name]) || "";

function directory(bundles) {
  const listings = new Map();
  for (const bundle of bundles) for (const listing of bundle.listings) listings.set(listing.id, listing);
  const analysis = analyser(bundles);
  const fields = bundles[0].fields;
  const search = new MiniSearch({
    fields: fields.map((f) => f.name),
    extractField: fieldText,
    tokenize: (text) => analysis.words(text),
    processTerm: (word) => analysis.term(word),
    searchOptions: {
      boost: Object.fromEntries(fields.map((f) => [f.name, f.boost])),
      tokenize: (text) => [text],
      processTerm: (t) => t,
    },
  });
  search.addAll([...listings.values()]);
  const byFirst = new Map();
  analysis.synonyms.forEach((forms, group) => {
    for (const form of forms) {
      if (!byFirst.has(form[0])) byFirst.set(form[0], []);
      byFirst.get(form[0]).push([form, group]);
    }
  });
  for (const list of byFirst.values()) list.sort((a, b) => b[0].length - a[0].length);
  return { listings, analysis, search, byFirst, fields, sequences: new Map(), facets: bundles[0].facets, filters: bundles[0].filters };
}

/** The clauses of a run of terms: each word (or a synonym of it, or of the phrase it starts). */
function wordClauses(dir, terms, exact = false) {
  const clauses = [];
  for (let i = 0; i < terms.length; ) {
    const found = (dir.byFirst.get(terms[i]) || []).find(([form]) => form.every((t, k) => terms[i + k] === t));
    if (found) {
      const forms = dir.analysis.synonyms[found[1]];
      clauses.push({ combineWith: "OR", queries: forms.map((f) => (f.length === 1 ? f[0] : { combineWith: "AND", queries: f })) });
      i += found[0].length;
    } else if (exact) {
      clauses.push(terms[i]);
      i += 1;
    } else {
      // A word the directory does not have may still be the start of one, or a typing slip.
      clauses.push({ combineWith: "OR", queries: [terms[i]], prefix: terms[i].length >= 4, fuzzy: terms[i].length >= 5 ? 1 : 0 });
      i += 1;
    }
  }
  return clauses;
}

/** Every form a quoted phrase's terms stand for (index/analysis.py's Synonyms.expand). */
function phraseForms(dir, terms) {
  const found = (dir.byFirst.get(terms[0]) || []).find(([form]) => form.length === terms.length && form.every((t, k) => terms[k] === t));
  return found ? dir.analysis.synonyms[found[1]] : [terms];
}

/**
 * The query of `text`: every word (or a synonym of it, or of the phrase it starts) must match,
 * and each quoted phrase (as index/querying.py reads quotes) must be in one field, its words
 * adjacent and in order once analysed. MiniSearch finds the listings with all of a phrase's
 * words; `phrases` (each a list of the forms it may take) then keeps those with them together.
 */
function query(dir, text) {
  const clauses = [];
  const phrases = [];
  // Smart quotes typed on tablets are quotes too; a quote left open runs to the end.
  for (const [, quoted, bare] of text.replace(/[\u201c\u201d]/g, '"').matchAll(/"([^"]*)"?|([^"]+)/g)) {
    if (bare !== undefined) {
      clauses.push(...wordClauses(dir, dir.analysis.terms(bare)));
      continue;
    }
    const words = dir.analysis.words(quoted).slice(0, MAX_PHRASE);
    const terms = words.map(dir.analysis.term).filter(Boolean);
    if (!terms.length) continue;
    if (words.length === 1) {
      // One word in quotes: that word, as typed (no prefix, no slip).
      clauses.push(...wordClauses(dir, terms, true));
      continue;
    }
    const forms = phraseForms(dir, terms);
    clauses.push({ combineWith: "OR", queries: forms.map((f) => (f.length === 1 ? f[0] : { combineWith: "AND", queries: f })) });
    phrases.push(forms);
  }
  return { tree: clauses.length ? { combineWith: "AND", queries: clauses } : null, phrases };
}

/** Say whether `listing` has one of `forms` in one of its fields, its terms adjacent and in order. */
function hasPhrase(dir, listing, forms) {
  for (const field of dir.fields) {
    const key = `${listing.id} ${field.name}`;
    let seq = dir.sequences.get(key);
    if (!seq) {
      seq = dir.analysis.terms(fieldText(listing, field.name));
      dir.sequences.set(key, seq);
    }
    for (const form of forms) {
      for (let i = 0; i + form.length <= seq.length; i += 1) {
        if (form.every((t, k) => seq[i + k] === t)) return true;
      }
    }
  }
  return false;
}

function run(dir, text, chosen) {
  const fits = (listing, except = null) =>
    Object.entries(chosen).every(
      ([name, values]) => name === except || !values.length || values.some((v) => (listing.facets[name] || []).includes(v)),
    );
  const { tree, phrases } = query(dir, text);
  let matched;
  if (tree) {
    matched = dir.search
      .search(tree)
      .map((r) => dir.listings.get(r.id))
      .filter((l) => phrases.every((forms) => hasPhrase(dir, l, forms)));
  } else {
    matched = [...dir.listings.values()].sort((a, b) => a.title.localeCompare(b.title));
  }
  const results = matched.filter((l) => fits(l));
  const counts = {};
  for (const name of dir.filters) {
    counts[name] = {};
    for (const listing of matched) {
      if (!fits(listing, name)) continue;
      for (const value of listing.facets[name] || []) counts[name][value] = (counts[name][value] || 0) + 1;
    }
  }
  return { results, counts };
}

// --- views ---------------------------------------------------------------------------------------

function noCopy() {
  show(
    "Offline copy",
    h("h1", { class: "govuk-heading-l" }, "Offline copy"),
    para(
      navigator.onLine
        ? "This device has no offline copy. School Improvement Partners who sign in on this device get one: the directory of their local authorities and their schools, kept up to date by itself."
        : "You are offline, and this device has no offline copy of the directory or of your schools.",
    ),
    navigator.onLine ? para(link("/sign-in?next=/offline", "Sign in")) : null,
  );
}

function labelOf(dir, facet, slug) {
  const found = dir.facets.find((f) => f.name === facet);
  const value = found && found.values.find(([s]) => s === slug);
  return value ? value[1] : slug;
}

function searchForm(params) {
  return h(
    "form",
    { method: "get", action: "/offline", class: "app-offline-search", role: "search" },
    h("input", { type: "hidden", name: "search", value: "1" }),
    h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--m", for: "offline-q" }, "Search the directory kept on this device"),
      h("div", { class: "govuk-hint", id: "offline-q-hint" }, "Words and abbreviations, for example SEN, KS2 or maths"),
      h("input", { class: "govuk-input", id: "offline-q", name: "q", type: "search", value: params.get("q") || "", "aria-describedby": "offline-q-hint" }),
    ),
    h("button", { type: "submit", class: "govuk-button", "data-module": "govuk-button" }, "Search"),
  );
}

function statusList(copy) {
  const waiting = copy.drafts.filter((d) => d.status === "waiting").length;
  const listings = copy.bundles.reduce((n, b) => n + b.listings.length, 0);
  return summaryList([
    ["Kept for", copy.me.user.name],
    ["Last brought up to date", when(copy.updated)],
    ["Directory", `${listings} listing${listings === 1 ? "" : "s"} serving ${copy.bundles.map((b) => b.la.name).join(", ")}`],
    ["Drafts waiting to be sent", String(waiting)],
    ["Network", navigator.onLine ? "Online" : "Offline"],
  ]);
}

function draftTitle(draft, fields) {
  if (!fields) return draft.kind === "visit" ? "Visit note" : "Priority";
  if (draft.kind === "visit") return `Visit note, ${fields.visited_on ? day(fields.visited_on) : "no date"}`;
  return `Priority: ${fields.description.slice(0, 80)}`;
}

async function draftsTable(drafts, schools) {
  if (!drafts.length) return para("No drafts on this device.");
  const names = new Map(schools.map((s) => [s.id, s.name]));
  const rows = [];
  for (const draft of drafts) {
    const fields = await store.unseal(draft);
    let status;
    if (draft.status === "saved") status = h("span", {}, tag("Saved", "green"), " ", draft.url ? link(draft.url, "View it") : null);
    else if (draft.status === "returned")
      status = h("span", {}, tag("Returned", "red"), " ", draft.reason || "", " ", link(`/offline?edit=${encodeURIComponent(draft.key)}`, "Correct it"));
    else status = tag("Waiting to be sent", "grey");
    rows.push(
      h(
        "tr",
        { class: "govuk-table__row" },
        h("td", { class: "govuk-table__cell" }, names.get(draft.school_id) || "A school"),
        h("td", { class: "govuk-table__cell" }, draftTitle(draft, fields)),
        h("td", { class: "govuk-table__cell", "data-draft-status": draft.status }, status),
      ),
    );
  }
  return h(
    "table",
    { class: "govuk-table" },
    h("caption", { class: "govuk-table__caption govuk-visually-hidden" }, "Drafts on this device"),
    h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" }, ["School", "Draft", "Status"].map((t) => h("th", { scope: "col", class: "govuk-table__header" }, t)))),
    h("tbody", { class: "govuk-table__body" }, rows),
  );
}

/** The SIP's schools as their list online orders them: agreed next visits first, by date. */
function byNextVisit(schools) {
  const key = (s) => [s.next_visit_on ? 0 : 1, s.next_visit_on || s.last_visit_on || "", s.name];
  return [...schools].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1].localeCompare(y[1]) || x[2].localeCompare(y[2]);
  });
}

/** When the school is next visited, as the SIP's list online says (an agreed date past: not recorded). */
function nextVisit(school) {
  if (!school.next_visit_on) return "not agreed";
  if (school.next_visit_on < today()) return h("span", {}, day(school.next_visit_on), " ", tag("Visit not recorded yet", "orange"));
  return day(school.next_visit_on);
}

function visitsLine(school) {
  return h(
    "span",
    { "data-visits": school.id },
    "Next visit: ",
    nextVisit(school),
    ". ",
    school.last_visit_on ? `Last visit: ${day(school.last_visit_on)}.` : "Not visited yet.",
  );
}

async function home(copy, params) {
  const saved = params.get("saved");
  const schools = byNextVisit(copy.schools).map((s) =>
    h("li", { class: "govuk-!-margin-bottom-3" }, link(`/offline?school=${s.id}`, s.name), ` (URN ${s.urn})`, h("br"), visitsLine(s)),
  );
  show(
    "Offline copy",
    saved ? banner("Draft kept on this device", navigator.onLine ? "It is being sent now." : "It will be sent when you are back online.") : null,
    h("h1", { class: "govuk-heading-l" }, "Offline copy"),
    para(copy.me.confidential, "govuk-body-s"),
    statusList(copy),
    navigator.onLine ? h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "offline-refresh", onclick: refreshNow }, "Bring up to date now") : null,
    searchForm(params),
    h("h2", { class: "govuk-heading-m" }, "Your schools"),
    schools.length ? h("ul", { class: "govuk-list" }, schools) : para("You have no schools assigned."),
    h("h2", { class: "govuk-heading-m" }, "Drafts"),
    await draftsTable(copy.drafts, copy.schools),
  );
}

async function refreshNow(event) {
  event.target.disabled = true;
  event.target.textContent = "Bringing up to date…";
  await store.refresh();
  await render();
}

function results(copy, params) {
  const dir = directory(copy.bundles);
  const text = params.get("q") || "";
  const chosen = {};
  for (const name of dir.filters) chosen[name] = params.getAll(name).filter(Boolean);
  const { results: found, counts } = run(dir, text, chosen);
  const page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
  const shown = found.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const count = `${found.length} result${found.length === 1 ? "" : "s"}`;
  const filters = h(
    "form",
    { method: "get", action: "/offline", class: "app-offline-filters" },
    h("input", { type: "hidden", name: "search", value: "1" }),
    h("input", { type: "hidden", name: "q", value: text }),
    h("h2", { class: "govuk-heading-m" }, "Filter"),
    dir.filters.map((name) => {
      const facet = dir.facets.find((f) => f.name === name);
      const options = facet.values.filter(([slug]) => counts[name][slug] || chosen[name].includes(slug));
      if (!options.length) return null;
      return h(
        "div",
        { class: "govuk-form-group" },
        h(
          "fieldset",
          { class: "govuk-fieldset" },
          h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, facet.label),
          h(
            "div",
            { class: "govuk-checkboxes govuk-checkboxes--small", "data-module": "govuk-checkboxes" },
            options.map(([slug, label]) => {
              const id = `f-${name}-${slug}`;
              return h(
                "div",
                { class: "govuk-checkboxes__item" },
                h("input", { class: "govuk-checkboxes__input", id, name, type: "checkbox", value: slug, checked: chosen[name].includes(slug) }),
                h("label", { class: "govuk-label govuk-checkboxes__label", for: id }, `${label} (${counts[name][slug] || 0})`),
              );
            }),
          ),
        ),
      );
    }),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, "Apply filters"),
  );
  const selected = Object.entries(chosen).flatMap(([name, values]) => values.map((v) => labelOf(dir, name, v)));
  const items = shown.map((l) =>
    h(
      "li",
      { class: "app-offline-result" },
      h("h2", { class: "govuk-heading-s govuk-!-margin-bottom-1" }, link(`/offline?listing=${l.id}`, l.title)),
      para(l.provider, "govuk-body-s govuk-!-margin-bottom-1"),
      para(l.summary),
    ),
  );
  const pages = Math.ceil(found.length / PER_PAGE);
  const pageLink = (n, text) => {
    const p = new URLSearchParams(params);
    p.set("page", String(n));
    return link(`/offline?${p}`, text);
  };
  show(
    `${text ? `${text}: ` : ""}${count}${pages > 1 ? ` (page ${page} of ${pages})` : ""}`,
    h("a", { class: "govuk-back-link", href: "/offline" }, "Offline copy"),
    h("h1", { class: "govuk-heading-l" }, "Search the offline copy"),
    searchForm(params),
    h(
      "div",
      { class: "govuk-grid-row" },
      h("div", { class: "govuk-grid-column-one-third" }, filters),
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        h("p", { class: "govuk-body govuk-!-font-weight-bold", id: "offline-count" }, count),
        selected.length ? para(`Filtered by: ${selected.join(", ")}`, "govuk-body-s") : null,
        found.length
          ? h("ul", { class: "govuk-list", id: "offline-results" }, items)
          : para("No listings in the offline copy match. Try fewer words or filters."),
        pages > 1
          ? h("p", { class: "govuk-body" }, page > 1 ? pageLink(page - 1, "Previous page") : null, " ", page < pages ? pageLink(page + 1, "Next page") : null)
          : null,
      ),
    ),
  );
}

function listingView(copy, find) {
  const dir = directory(copy.bundles);
  const listing = [...dir.listings.values()].find(find);
  if (!listing) {
    show("Not in the offline copy", h("h1", { class: "govuk-heading-l" }, "This listing is not in the offline copy"), para(link("/offline", "Back to the offline copy")));
    return;
  }
  const labels = (name) => (listing.facets[name] || []).map((s) => labelOf(dir, name, s)).join(", ");
  const c = listing.contact;
  show(
    listing.title,
    h("a", { class: "govuk-back-link", href: "/offline", onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, "Back"),
    h("span", { class: "govuk-caption-l" }, listing.provider),
    h("h1", { class: "govuk-heading-l", id: "listing-title" }, listing.title),
    para(listing.summary, "govuk-body-l"),
    summaryList([
      ["Provider", listing.provider],
      ["Contact", c.name],
      ["Phone", c.phone],
      ["Email", c.email ? link(`mailto:${c.email}`, c.email) : ""],
      ["Website", c.website],
      ["Cost", [labels("cost"), listing.price_note].filter(Boolean).join(": ")],
      ["Area of support", labels("category")],
      ["Phase", labels("phase")],
      ["Delivery", labels("delivery")],
      ["Provider kind", labels("kind")],
      ["Recommended by", `${listing.recommendations} school${listing.recommendations === 1 ? "" : "s"}`],
      ["Directory code", listing.code],
    ]),
    h("h2", { class: "govuk-heading-m" }, "About this support"),
    (listing.description || "").split(/\n{2,}/).filter(Boolean).map((p) => para(p)),
  );
}

function schoolView(copy, id, params) {
  const school = copy.schools.find((s) => s.id === id);
  if (!school) {
    show("Not in the offline copy", h("h1", { class: "govuk-heading-l" }, "This school is not in your offline copy"), para(link("/offline", "Back to the offline copy")));
    return;
  }
  const priorities = school.priorities.map((p) =>
    h(
      "div",
      { class: "govuk-summary-card" },
      h("div", { class: "govuk-summary-card__title-wrapper" }, h("h3", { class: "govuk-summary-card__title" }, `Priority ${p.number}`)),
      h(
        "div",
        { class: "govuk-summary-card__content" },
        summaryList([
          ["Priority", p.description],
          ["Area of support", p.area],
          ["RAG rating", p.rag],
          ["Shortlist", p.shortlist.length ? h("ul", { class: "govuk-list" }, p.shortlist.map((s) => h("li", {}, link(`/offline?listing=${s.listing_id}`, s.title), ` (${s.state})`))) : "None yet"],
        ]),
      ),
    ),
  );
  show(
    school.name,
    params.get("saved") ? banner("Draft kept on this device", navigator.onLine ? "It is being sent now." : "It will be sent when you are back online.") : null,
    h("a", { class: "govuk-back-link", href: "/offline" }, "Offline copy"),
    h("span", { class: "govuk-caption-l" }, `URN ${school.urn}`),
    h("h1", { class: "govuk-heading-l" }, school.name),
    para(copy.me.confidential, "govuk-body-s"),
    summaryList([
      ["Next visit", nextVisit(school)],
      ["Last visit", school.last_visit_on ? day(school.last_visit_on) : "Not visited yet"],
    ]),
    para(link(school.visit_pack, "Open the visit pack"), "govuk-body"),
    h("h2", { class: "govuk-heading-m" }, "Current priorities"),
    school.visit ? para(`Agreed at the visit of ${day(school.visit.visited_on)}.`) : para("No priorities recorded yet."),
    priorities,
    h("h2", { class: "govuk-heading-m" }, "Record on this device"),
    h(
      "div",
      { class: "govuk-button-group" },
      link(`/offline?school=${school.id}&draft=visit`, "Record a visit note", "govuk-button"),
      link(`/offline?school=${school.id}&draft=priority`, "Add a priority", "govuk-button govuk-button--secondary"),
    ),
  );
}

// --- draft forms -----------------------------------------------------------------------------------

function errorSummary(errors) {
  return h(
    "div",
    { class: "govuk-error-summary", "data-module": "govuk-error-summary", tabindex: "-1" },
    h(
      "div",
      { role: "alert" },
      h("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
      h("div", { class: "govuk-error-summary__body" }, h("ul", { class: "govuk-list govuk-error-summary__list" }, errors.map(([field, message]) => h("li", {}, link(`#${field}`, message, ""))))),
    ),
  );
}

function group(id, label, control, { hint = "", error = "", fieldset = false } = {}) {
  const parts = [
    hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
    error ? h("p", { class: "govuk-error-message", id: `${id}-error` }, h("span", { class: "govuk-visually-hidden" }, "Error: "), error) : null,
    control,
  ];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || null;
  if (fieldset) {
    return h(
      "div",
      { class: `govuk-form-group${error ? " govuk-form-group--error" : ""}` },
      h("fieldset", { class: "govuk-fieldset", "aria-describedby": described }, h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, label), parts),
    );
  }
  if (described) control.setAttribute("aria-describedby", described);
  return h("div", { class: `govuk-form-group${error ? " govuk-form-group--error" : ""}` }, h("label", { class: "govuk-label govuk-label--s", for: id }, label), parts);
}

function choices(name, options, chosen, type) {
  const cls = type === "checkbox" ? "govuk-checkboxes" : "govuk-radios";
  return h(
    "div",
    { class: `${cls} ${cls}--small`, "data-module": cls.replace("govuk-", "govuk-") },
    options.map(([slug, label], i) => {
      const id = i === 0 ? name : `${name}-${i + 1}`;
      return h(
        "div",
        { class: `${cls}__item` },
        h("input", { class: `${cls}__input`, id, name, type, value: slug, checked: chosen.includes(slug) }),
        h("label", { class: `govuk-label ${cls}__label`, for: id }, label),
      );
    }),
  );
}

/** A GOV.UK date input; `value` is an ISO date (as the draft keeps it) or the boxes as typed. */
function dateInput(name, value) {
  const [d, m, y] = Array.isArray(value)
    ? value
    : (value || "").split("-").reverse().map((p) => (p ? String(Number(p)) : ""));
  const box = (part, label, typed, width) =>
    h(
      "div",
      { class: "govuk-date-input__item" },
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label govuk-date-input__label", for: part === "day" ? name : `${name}-${part}` }, label),
        h("input", { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: part === "day" ? name : `${name}-${part}`, name: `${name}-${part}`, type: "text", inputmode: "numeric", value: typed || "" }),
      ),
    );
  return h("div", { class: "govuk-date-input" }, box("day", "Day", d, 2), box("month", "Month", m, 2), box("year", "Year", y, 4));
}

/**
 * The date typed in a date input, checked as the site's date fields check it (broker/dateinput.py,
 * with its messages): {iso} ("" for three empty boxes) or {problem}, and the boxes as typed.
 */
function readDate(form, name, what) {
  const subject = what[0].toUpperCase() + what.slice(1);
  const names = ["day", "month", "year"];
  const parts = names.map((part) => (form.elements[`${name}-${part}`].value || "").trim());
  if (!parts.some(Boolean)) return { iso: "", parts };
  const missing = names.filter((_, i) => !parts[i]);
  if (missing.length) return { problem: `${subject} must include a ${missing.join(" and ")}`, parts };
  const unreal = { problem: `${subject} must be a real date, like 27 3 2026`, parts };
  if (!parts.every((p) => /^\d+$/.test(p)) || parts[2].length !== 4) return unreal;
  const [d, m, y] = parts.map(Number);
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // Date.UTC would read years below 100 as 19xx.
  if (y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return unreal;
  return { iso: date.toISOString().slice(0, 10), parts };
}

const values = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

/** Which visit a new priority belongs to: the latest visit drafted on this device, else the saved one. */
function visitFor(copy, school) {
  const drafted = copy.drafts.filter((d) => d.kind === "visit" && d.school_id === school.id && d.status !== "returned").slice(-1)[0];
  if (drafted) return { visit_key: drafted.key, text: "the visit note drafted on this device" };
  if (school.visit) return { visit_id: school.visit.id, text: `the visit of ${day(school.visit.visited_on)}` };
  return null;
}

async function draftForm(copy, school, kind, draft = null) {
  const fields = draft ? (await store.unseal(draft)) || {} : {};
  const choicesOf = copy.me.choices;
  const errors = draft && draft.status === "returned" ? [[draft.field || (kind === "visit" ? "visited_on" : "description"), draft.reason]] : [];
  const target = kind === "priority" ? (draft ? { visit_key: draft.visit_key, visit_id: fields.visit_id } : visitFor(copy, school)) : null;
  if (kind === "priority" && !target) {
    show("Record a visit note first", h("h1", { class: "govuk-heading-l" }, "Record a visit note first"), para("A priority is agreed at a visit: record the visit note, then add its priorities."), link(`/offline?school=${school.id}&draft=visit`, "Record a visit note", "govuk-button"));
    return;
  }

  function render(errs) {
    const err = Object.fromEntries(errs);
    const controls =
      kind === "visit"
        ? [
            group("visited_on", "Date of the visit", dateInput("visited_on", fields.visited_on || today()), { hint: "For example, 27 3 2026", error: err.visited_on, fieldset: true }),
            group("evidence", "What evidence did you look at?", choices("evidence", choicesOf.evidence, fields.evidence || [], "checkbox"), { hint: "Select all that apply.", error: err.evidence, fieldset: true }),
            group("evidence_notes", "Notes on the evidence (optional)", h("textarea", { class: "govuk-textarea", id: "evidence_notes", name: "evidence_notes", rows: "5", maxlength: copy.me.limits.notes }, fields.evidence_notes || ""), { hint: "Required if you selected Other. Only the school, its SIP and the LA see these.", error: err.evidence_notes }),
            group("support_category", "The school's support category", choices("support_category", choicesOf.support_category, [fields.support_category || school.support_category || ""], "radio"), { hint: "Confidential to the school, its SIP and the LA's QA officers.", error: err.support_category, fieldset: true }),
            // As the visit form online (broker/schools/forms.py VisitForm.next_visit_on).
            group("next_visit_on", "Next visit (optional)", dateInput("next_visit_on", fields.next_visit_on || ""), { hint: "If you agreed the date of your next visit, for example 12 5 2027. It puts the school in date order on your list.", error: err.next_visit_on, fieldset: true }),
          ]
        : [
            para(`For ${target.text}.`),
            group("description", "Describe the priority", h("textarea", { class: "govuk-textarea", id: "description", name: "description", rows: "4", maxlength: copy.me.limits.description }, fields.description || ""), { hint: "In your own words, as agreed with the head.", error: err.description }),
            group("category", "Area of support", h("select", { class: "govuk-select", id: "category", name: "category" }, h("option", { value: "" }, "Choose an area"), choicesOf.category.map(([slug, label]) => h("option", { value: slug, selected: fields.category === slug }, label))), { error: err.category }),
            group("ecm_outcomes", "Every Child Matters outcomes (optional)", choices("ecm_outcomes", choicesOf.ecm_outcomes, fields.ecm_outcomes || [], "checkbox"), { error: err.ecm_outcomes, fieldset: true }),
            group("pupil_groups", "Pupil groups concerned (optional)", choices("pupil_groups", choicesOf.pupil_groups, fields.pupil_groups || [], "checkbox"), { error: err.pupil_groups, fieldset: true }),
            group("rag", "RAG rating", choices("rag", choicesOf.rag, [fields.rag || ""], "radio"), { error: err.rag, fieldset: true }),
          ];
    const title = kind === "visit" ? "Record a visit note" : "Add a priority";
    show(
      `${errs.length ? "Error: " : ""}${title}`,
      h("a", { class: "govuk-back-link", href: `/offline?school=${school.id}` }, school.name),
      errs.length ? errorSummary(errs) : null,
      h("span", { class: "govuk-caption-l" }, school.name),
      h("h1", { class: "govuk-heading-l" }, title),
      para("This is kept on this device as a draft and sent when you are online. It is checked then, like the form on the site."),
      h("form", { id: "draft-form", novalidate: true, onsubmit: submit }, controls, h("button", { type: "submit", class: "govuk-button" }, "Save draft")),
    );
    const summary = app.querySelector(".govuk-error-summary");
    if (summary) summary.focus();
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.target;
    const errs = [];
    let out;
    if (kind === "visit") {
      const visited = readDate(form, "visited_on", "the date of the visit");
      const next = readDate(form, "next_visit_on", "the date of the next visit");
      out = { visited_on: visited.iso || "", evidence: values(form, "evidence"), evidence_notes: form.elements.evidence_notes.value, support_category: values(form, "support_category")[0] || "", next_visit_on: next.iso || "" };
      if (visited.problem || !visited.iso) errs.push(["visited_on", visited.problem || "Enter the date of the visit"]);
      if (!out.evidence.length) errs.push(["evidence", "Select the evidence you looked at"]);
      if (!out.support_category) errs.push(["support_category", "Select the school's support category"]);
      // Whether it is after the visit and not past is the server's to say, when it is sent.
      if (next.problem) errs.push(["next_visit_on", next.problem]);
      if (errs.length) Object.assign(out, { visited_on: visited.parts, next_visit_on: next.parts });
    } else {
      out = { description: form.elements.description.value, category: form.elements.category.value, ecm_outcomes: values(form, "ecm_outcomes"), pupil_groups: values(form, "pupil_groups"), rag: values(form, "rag")[0] || "" };
      if (target.visit_id) out.visit_id = target.visit_id;
      if (!out.description.trim()) errs.push(["description", "Describe the priority in your own words"]);
      if (!out.category) errs.push(["category", "Select the area of support"]);
      if (!out.rag) errs.push(["rag", "Select a RAG rating: red, amber or green"]);
    }
    if (errs.length) {
      Object.assign(fields, out);
      render(errs);
      return;
    }
    const saved = await store.saveDraft({ key: draft ? draft.key : null, kind, school_id: school.id, fields: out, visit_key: target && target.visit_key });
    if (navigator.onLine) store.syncDrafts().catch(() => {});
    window.location.assign(`/offline?school=${school.id}&saved=${encodeURIComponent(saved.key)}`);
  }

  render(errors);
}

// --- routing -----------------------------------------------------------------------------------------

async function render() {
  const copy = await loadCopy();
  if (!copy || !copy.bundles.length) return noCopy();
  const params = new URLSearchParams(window.location.search);
  const path = window.location.pathname;
  let m;
  if (params.has("edit")) {
    const draft = copy.drafts.find((d) => d.key === params.get("edit"));
    const school = draft && copy.schools.find((s) => s.id === draft.school_id);
    if (draft && school) return draftForm(copy, school, draft.kind, draft);
    return home(copy, params);
  }
  if (params.has("listing")) return listingView(copy, (l) => l.id === Number(params.get("listing")));
  if ((m = path.match(/^\/directory\/listings\/(\d+)/))) return listingView(copy, (l) => l.id === Number(m[1]));
  if ((m = path.match(/^\/l\/([A-Za-z0-9]+)/))) return listingView(copy, (l) => l.code === m[1].toUpperCase());
  if (params.has("school")) {
    const school = copy.schools.find((s) => s.id === Number(params.get("school")));
    const kind = params.get("draft");
    if (school && (kind === "visit" || kind === "priority")) return draftForm(copy, school, kind);
    return schoolView(copy, Number(params.get("school")), params);
  }
  if ((m = path.match(/^\/schools\/(\d+)/))) return schoolView(copy, Number(m[1]), params);
  if (params.has("search") || path === "/directory") return results(copy, params);
  return home(copy, params);
}

async function start() {
  if (!app) return;
  document.body.classList.add("app-offline-page");
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  await render();
  const typing = () => {
    const params = new URLSearchParams(window.location.search);
    return params.has("draft") || params.has("edit");
  };
  const updatedAt = async () => ((await store.exists()) ? store.getMeta("updated_at") : undefined);
  const bringUpToDate = async () => {
    // Only a copy a SIP's pages prepared is brought up to date here (device.js makes it).
    if (!(await store.exists())) return;
    const before = await updatedAt();
    await store.refresh();
    // A half-typed draft form is never replaced.
    if (before !== (await updatedAt()) && !typing()) await render();
  };
  if (navigator.onLine) await bringUpToDate();
  document.addEventListener("broker:drafts-sent", () => {
    if (!typing()) render();
  });
  window.addEventListener("online", bringUpToDate);
  document.documentElement.dataset.offlineReady = "true";
}

start();
