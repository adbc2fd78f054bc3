// Stream's service worker (SPEC 12): lessons kept on the device for reading offline.
// Served at /sw.js by config.views.service_worker, so that its scope is the whole site.
// It is not a page module: pages only register it (ui.js) and talk to it (offline.js).
//
// Only public pages are stored. Every page kept here is the answer to the worker's own
// request made with credentials "omit": the page an anonymous reader gets, with nothing
// personal in it. A signed-in learner's own pages pass through and are never stored, so
// sign-out has nothing here to clear; standing and done marks in a stored page are filled
// in by progress.js from the browser's local progress, as for any anonymous reader.
//
// Cache "stream-pages": lesson and quest pages, and /offline/. Each stored page carries
// X-Offline-* headers: Kind ("quest": saved with its quest; "recent": opened lately, at most
// RECENT of them; "shell": /offline/), Quest (its quest page), Version (the lesson's content
// version, data-content-version), Saved (ISO time), Lang, Title (URI-encoded, HTML-escaped
// as the server wrote it), Bytes, Skipped (images from other sites) and Files (the static
// files and images it needs, kept in "stream-files").
//
// Refresh rule: a quest page lists its lessons with their content versions (json_script
// "offline-lessons"). When a quest page is opened online, and when a new worker activates,
// the worker reads that list (credential-less): lessons whose version changed are fetched
// again, lessons no longer listed (back to draft, moved, deleted) are removed.

const PAGES = "stream-pages-v1";
const FILES = "stream-files-v1";
const OFFLINE = new URL("/offline/", location.origin).href;
const LESSON = /^\/quests\/[^/]+\/[^/]+\/$/; // lessons.urls "lesson" (tests/config/test_offline.py)
const QUEST = /^\/quests\/[^/]+\/$/; // lessons.urls "quest"
const RECENT = 30;
// The published lessons' document a page preloads (progress.urls "api_catalogue"): kept with the page's files.
const CATALOGUE = /^\/api\/catalogue\/[^/]+\.json$/;
const ANY = { ignoreVary: true, ignoreSearch: true };

// One change to the caches at a time: saving, removing, keeping an opened lesson, refreshing.
let queue = Promise.resolve();
function serially(job) {
  const run = queue.then(job);
  queue = run.catch(() => {});
  return run;
}

/** The public page: no cookies, so no session; in the reader's language, which a cookie would have said. */
function fetchPublic(url, lang) {
  return fetch(url, { credentials: "omit", cache: "no-store", headers: lang ? { "Accept-Language": lang } : {} });
}

const pageKey = (url) => { const u = new URL(url, location.origin); return u.origin + u.pathname; };
const unescape = (url) => url.replace(/&amp;/g, "&");
const when = (iso, lang) => {
  try { return new Intl.DateTimeFormat(lang || undefined, { dateStyle: "long", timeStyle: "short" }).format(new Date(iso)); }
  catch { return iso; }
};

/** What a stored page says about itself. */
function describe(url, response) {
  const h = (name) => response.headers.get(`X-Offline-${name}`) || "";
  return {
    url, kind: h("Kind"), quest: h("Quest"), version: h("Version"), saved: h("Saved"), lang: h("Lang"),
    title: decodeURIComponent(h("Title")), bytes: Number(h("Bytes")), skipped: Number(h("Skipped")),
    files: h("Files").split(" ").filter(Boolean),
  };
}

async function storedPages() {
  const cache = await caches.open(PAGES);
  const found = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request, ANY);
    if (response) found.push(describe(request.url, response));
  }
  return found;
}

/** Same-origin addresses of the files a page, stylesheet or module needs; other origins counted apart. */
function references(text, base, type) {
  const urls = [];
  if (type.includes("html")) {
    for (const [tag] of text.matchAll(/<link\b[^>]*>/g)) {
      if (/\brel="(?:stylesheet|icon|apple-touch-icon|manifest|preload)"/.test(tag)) urls.push(/\bhref="([^"]+)"/.exec(tag)?.[1]);
    }
    for (const [, src] of text.matchAll(/<(?:script|img)\b[^>]*?\bsrc="([^"]+)"/g)) urls.push(src);
  } else if (type.includes("css")) {
    for (const [, src] of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) urls.push(src);
  } else if (type.includes("javascript")) {
    for (const [, src] of text.matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+)["']/g)) urls.push(src);
  }
  return urls.filter(Boolean).map((src) => new URL(unescape(src), base).href).filter((href) => !href.startsWith("data:"));
}

/** Keep the files (and what stylesheets and modules import); their same-origin addresses and how many were not ours. */
async function keepFiles(start, fresh) {
  const cache = await caches.open(FILES);
  const queue = [...start];
  const kept = new Set();
  let skipped = 0;
  while (queue.length) {
    const url = queue.shift();
    if (kept.has(url)) continue;
    if (new URL(url).origin !== location.origin) { skipped += 1; continue; }
    let response = fresh ? null : await cache.match(url, { ignoreVary: true });
    if (!response) {
      response = await fetchPublic(url);
      if (!response.ok) continue;
      await cache.put(url, response.clone());
    }
    kept.add(url);
    const type = response.headers.get("Content-Type") || "";
    if (/css|javascript/.test(type)) queue.push(...references(await response.text(), url, type));
  }
  return { files: [...kept], skipped };
}

/** Fetch a public page and store it, marked as an offline copy with its date. null when the page is gone (404/410). */
async function storePage(url, { kind, quest = "", lang = "", fresh = false }) {
  const response = await fetchPublic(url, lang);
  if (response.status === 404 || response.status === 410) return null;
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.includes("text/html")) throw new Error(`${url}: ${response.status}`);
  let html = await response.text();
  const saved = new Date().toISOString();
  lang = /<html lang="([^"]+)"/.exec(html)?.[1] || lang;
  if (kind !== "shell") {
    html = html
      .replace("data-offline-banner hidden", "data-offline-banner")
      .replace("<time data-offline-date></time>", `<time datetime="${saved}" data-offline-date>${when(saved, lang)}</time>`);
  }
  const { files, skipped } = await keepFiles(references(html, url, type), fresh);
  const body = new Blob([html], { type });
  const headers = new Headers(response.headers);
  for (const name of ["Content-Length", "Content-Encoding"]) headers.delete(name);
  const meta = {
    Kind: kind, Quest: quest, Saved: saved, Lang: lang, Bytes: body.size, Skipped: skipped, Files: files.join(" "),
    Version: /data-content-version="([^"]*)"/.exec(html)?.[1] || "",
    Title: encodeURIComponent((/<title>([^<]*)<\/title>/.exec(html)?.[1] || url).replace(/\s*— Stream$/, "")),
  };
  for (const [name, value] of Object.entries(meta)) headers.set(`X-Offline-${name}`, String(value));
  await (await caches.open(PAGES)).put(url, new Response(body, { status: 200, headers }));
  return describe(url, { headers });
}

/** Drop files no stored page needs any more (a removed quest's images, old hashed static files). */
async function collectFiles() {
  const needed = new Set((await storedPages()).flatMap((page) => page.files));
  const cache = await caches.open(FILES);
  for (const request of await cache.keys()) if (!needed.has(request.url)) await cache.delete(request);
}

/** Save a quest (save: true), or bring what is kept of it up to date with its list of lessons. */
async function syncQuest(quest, { save = false, lang = "", report = () => {} } = {}) {
  const cache = await caches.open(PAGES);
  const pages = await storedPages();
  const saved = pages.find((page) => page.url === quest && page.kind === "quest");
  const lessons = pages.filter((page) => page.quest === quest && page.url !== quest);
  const keep = save || Boolean(saved);
  if (!keep && !lessons.length) return;
  lang = lang || saved?.lang || lessons[0]?.lang || "";
  let html;
  if (keep) {
    const page = await storePage(quest, { kind: "quest", quest, lang, fresh: save });
    html = page && (await (await cache.match(quest)).text());
  } else {
    const response = await fetchPublic(quest, lang);
    if (!response.ok && response.status !== 404 && response.status !== 410) throw new Error(`${quest}: ${response.status}`);
    html = response.ok && (await response.text());
  }
  if (!html) return removeQuest(quest); // the quest is gone (back to draft): so are its lessons
  const listed = JSON.parse(/<script id="offline-lessons" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1] || "[]")
    .map((lesson) => ({ url: pageKey(lesson.url), version: lesson.version }));
  const wanted = new Set(listed.map((lesson) => lesson.url));
  for (const lesson of lessons) if (!wanted.has(lesson.url)) await cache.delete(lesson.url);
  let done = 0;
  report({ state: "saving", done, total: listed.length });
  for (const lesson of listed) {
    const old = lessons.find((stored) => stored.url === lesson.url);
    if (save || (old && old.version !== lesson.version)) {
      const kind = keep ? "quest" : old.kind;
      if (!(await storePage(lesson.url, { kind, quest, lang, fresh: save }))) await cache.delete(lesson.url);
    }
    report({ state: "saving", done: ++done, total: listed.length });
  }
}

async function removeQuest(quest) {
  const cache = await caches.open(PAGES);
  for (const page of await storedPages()) if (page.url === quest || page.quest === quest) await cache.delete(page.url);
}

/** A lesson the learner opened online: keep its public copy, the RECENT most recent at most. */
async function keepOpened(url, lang) {
  const pages = await storedPages();
  const old = pages.find((page) => page.url === url);
  const quest = new URL("..", url).href;
  if (!(await storePage(url, { kind: old?.kind || "recent", quest, lang: lang || old?.lang }))) {
    await (await caches.open(PAGES)).delete(url);
  }
  const recent = (await storedPages()).filter((page) => page.kind === "recent").sort((a, b) => b.saved.localeCompare(a.saved));
  const cache = await caches.open(PAGES);
  for (const page of recent.slice(RECENT)) await cache.delete(page.url);
}

async function refreshAll() {
  const quests = new Set((await storedPages()).map((page) => page.quest).filter(Boolean));
  for (const quest of quests) await syncQuest(quest).catch(() => {});
  await collectFiles();
}

/** What the quest page's "Save for offline" shows: saved or not, how many lessons and bytes. */
async function questStatus(quest) {
  const pages = await storedPages();
  if (!pages.some((page) => page.url === quest && page.kind === "quest")) return { state: "none" };
  const mine = pages.filter((page) => page.url === quest || page.quest === quest);
  let bytes = mine.reduce((sum, page) => sum + page.bytes, 0);
  const files = await caches.open(FILES);
  for (const url of new Set(mine.flatMap((page) => page.files))) {
    const response = await files.match(url, { ignoreVary: true });
    if (response) bytes += (await response.blob()).size;
  }
  const count = mine.filter((page) => page.url !== quest).length;
  return { state: "saved", count, bytes, skipped: mine.reduce((sum, page) => sum + page.skipped, 0) };
}

/** /offline/ with the list of saved lessons filled in, quest by quest. */
async function withSavedList(response) {
  let html = await response.text();
  const lang = /<html lang="([^"]+)"/.exec(html)?.[1];
  const lessons = (await storedPages())
    .filter((page) => LESSON.test(new URL(page.url).pathname))
    .sort((a, b) => a.quest.localeCompare(b.quest) || a.saved.localeCompare(b.saved)); // each quest in order
  // Titles are stored as the server escaped them in the page's <title>; addresses are URL-encoded.
  const items = lessons.map((page) => `<li><a href="${page.url}">${page.title}</a> <span class="meta"><time datetime="${page.saved}">${when(page.saved, lang)}</time></span></li>`);
  html = html.replace("<ul class=\"offline-list\" data-offline-list></ul>", `<ul class="offline-list" data-offline-list>${items.join("")}</ul>`);
  if (items.length) html = html.replace("data-offline-empty>", "data-offline-empty hidden>");
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: response.status, statusText: response.statusText, headers });
}

async function navigate(event, url) {
  const key = url.origin + url.pathname;
  try {
    const response = await fetch(event.request);
    if (response.ok) {
      const lang = response.headers.get("Content-Language") || "";
      if (LESSON.test(url.pathname)) event.waitUntil(serially(() => keepOpened(key, lang).then(collectFiles)).catch(() => {}));
      else if (QUEST.test(url.pathname)) event.waitUntil(serially(() => syncQuest(key).then(collectFiles)).catch(() => {}));
    }
    return key === OFFLINE ? withSavedList(response) : response;
  } catch (error) {
    const cache = await caches.open(PAGES);
    const copy = await cache.match(key, ANY);
    if (copy && key !== OFFLINE) return copy;
    const fallback = await cache.match(OFFLINE, ANY);
    if (fallback) return withSavedList(fallback);
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (["style", "script", "image", "manifest"].includes(request.destination) || CATALOGUE.test(url.pathname)) {
    event.respondWith(fetch(request).catch(async (error) => {
      const copy = await caches.match(request.url, { ignoreVary: true });
      if (copy) return copy;
      throw error;
    }));
  }
});

// The quest page's "Save for offline" (static/js/offline.js): {type, quest, lang} and a port for the answers.
self.addEventListener("message", (event) => {
  const { type, quest, lang } = event.data || {};
  const port = event.ports[0];
  if (!port || typeof quest !== "string" || new URL(quest, location.origin).origin !== location.origin) return;
  const url = pageKey(quest);
  const job = serially(async () => {
    let failed = false;
    try {
      if (type === "save") {
        await syncQuest(url, { save: true, lang, report: (message) => port.postMessage(message) });
        await storePage(OFFLINE, { kind: "shell", lang });
      } else if (type === "remove") {
        await removeQuest(url);
      }
      await collectFiles();
    } catch {
      failed = true;
    }
    port.postMessage({ ...(await questStatus(url)), failed });
  });
  event.waitUntil(job);
});

self.addEventListener("install", (event) => {
  // The page shown for anything not saved; kept before the worker takes over.
  event.waitUntil(serially(() => storePage(OFFLINE, { kind: "shell" })).catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (![PAGES, FILES].includes(name)) await caches.delete(name);
    await self.clients.claim();
  })());
  serially(refreshAll); // saved lessons catch up with the server; not awaited, so pages are not held up
});
