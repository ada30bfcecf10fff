// SIGAP's service worker (served at /sw.js by config.offline_views; version {{ version }}).
//
// * The app shell (CSS, scripts, icon) is kept at install; static files are answered from the
//   cache first (their names carry a hash of their content in production).
// * A page is kept only when the server marked it with "SIGAP-Offline: <user id>" (a kader's
//   start page, report form, "Kasus saya" and its case pages, the outreach form:
//   accounts.offline). Staff pages never carry it, so they are never kept on a device.
// * Pages are fetched from the network first; offline, the kept copy is shown, marked with the
//   time it was fetched (data-offline-at on <html>; offline.js shows "offline, last updated").
// * Kept pages live in one cache per user ("sigap-pages-<id>"); the caches of any other user
//   are deleted as soon as another user's page arrives or the page says who is logged in, and
//   everything is deleted on logout (Clear-Site-Data) or when a staff member logs in.
// * POSTs are never answered from here: what is sent offline waits in the page's outbox.
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = "sigap-shell-" + VERSION;
const PAGES_PREFIX = "sigap-pages-";
const SHELL = {{ shell|safe }};
const STATIC_PREFIX = {{ static_prefix|safe }};
const LOGIN_PATH = {{ login_path|safe }};
const HOME = {{ home|safe }};
const OFFLINE_TITLE = {{ offline_title|safe }};
const OFFLINE_TEXT = {{ offline_text|safe }};
const OFFLINE_HOME = {{ offline_home|safe }};
const WARM_MAX = 12;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("sigap-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

async function pageCaches() {
  return (await caches.keys()).filter((k) => k.startsWith(PAGES_PREFIX));
}

async function keepOnly(user) {
  const keep = PAGES_PREFIX + user;
  await Promise.all((await pageCaches()).filter((k) => k !== keep).map((k) => caches.delete(k)));
}

async function forgetAll() {
  await Promise.all((await pageCaches()).map((k) => caches.delete(k)));
}

async function keepPage(request, response) {
  const user = response.headers.get("SIGAP-Offline");
  if (!response.ok || !user || response.redirected) { return; }
  await keepOnly(user);
  const headers = new Headers(response.headers);
  headers.set("SIGAP-Kept-At", new Date().toISOString());
  const body = await response.arrayBuffer();
  const cache = await caches.open(PAGES_PREFIX + user);
  await cache.put(request.url, new Response(body, { status: 200, headers }));
}

async function keptPage(url) {
  for (const name of await pageCaches()) {
    const hit = await (await caches.open(name)).match(url);
    if (hit) { return hit; }
  }
  return null;
}

async function markedOffline(kept) {
  const at = kept.headers.get("SIGAP-Kept-At") || "";
  const html = (await kept.text()).replace("<html ", '<html data-offline-at="' + at + '" ');
  const headers = new Headers(kept.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: 200, headers });
}

function offlineFallback() {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const html = '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + esc(OFFLINE_TITLE) +
    ' · SIGAP</title></head><body><main><h1>' + esc(OFFLINE_TITLE) + "</h1><p>" + esc(OFFLINE_TEXT) +
    '</p><p><a href="' + HOME + '">' + esc(OFFLINE_HOME) + "</a></p></main></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function page(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    // The copy is taken before the page reads the body; keeping it may finish afterwards.
    event.waitUntil(keepPage(request, response.clone()).catch(() => null));
    return response;
  } catch (error) {
    const url = new URL(request.url);
    let kept = await keptPage(request.url);
    if (!kept && url.pathname === HOME) {
      // "/" only redirects to the start page: offline, show the kept start page itself.
      const names = await pageCaches();
      for (const name of names) {
        const keys = await (await caches.open(name)).keys();
        const start = keys.find((k) => new URL(k.url).pathname.indexOf("/beranda/") === 0);
        if (start) { kept = await (await caches.open(name)).match(start); break; }
      }
    }
    return kept ? markedOffline(kept) : offlineFallback();
  }
}

async function fromShell(request) {
  const hit = await caches.match(request);
  if (hit) { return hit; }
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)).catch(() => null);
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate" && !url.pathname.startsWith(LOGIN_PATH)) {
    event.respondWith(page(event));
  }
});

// Fetch the kader's pages not kept yet (the report form, "Kasus saya", their case pages...),
// so that they open offline without having been visited. Only what is missing: a repeat visit
// costs nothing.
async function warm(urls) {
  let fetched = 0;
  for (const url of urls) {
    if (fetched >= WARM_MAX) { break; }
    if (await keptPage(new URL(url, self.location.origin).href)) { continue; }
    try {
      const request = new Request(url, { credentials: "same-origin" });
      const response = await fetch(request);
      await keepPage(request, response);
      fetched += 1;
    } catch (error) {
      break;  // offline again
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "user" && data.user) {
    event.waitUntil(keepOnly(String(data.user)));
  } else if (data.type === "forget") {
    event.waitUntil(forgetAll());
  } else if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls.slice(0, 40)));
  }
});
