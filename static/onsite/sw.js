/* The service worker of the pages of the day (scope /onsite/, served by onsite.views.service_worker).

   - Static files: from the cache first (their names carry a hash), else the network.
   - Pages: from the network, kept in the cache; without network, the last version seen (the page
     says when it was fetched).
   - A scan (a badge's or a meeting's code) opened without network is queued in IndexedDB with
     the time it was made; the page of the queue (/onsite/offline/, cached at install) sends it
     when the network returns. The server applies each scan once. */
"use strict";

const CACHE = "onsite-v1";
const SCOPE = new URL(self.registration.scope).pathname; // "/onsite/"
const SHELL = SCOPE + "offline/";
const SCAN = new RegExp("^" + SCOPE + "([-A-Za-z0-9_]+)/(b|m)/([-A-Za-z0-9_:.]{1,400})/$");

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// A page tells which files it was built from, so that it also shows offline.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  const own = data.urls.filter((u) => new URL(u, self.location).origin === self.location.origin);
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(own.map((u) => cache.match(u).then((hit) => hit || cache.add(u).catch(() => null))))
    )
  );
});

function openQueue() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("onsite", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("scans", { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function queueScan(url) {
  const match = SCAN.exec(new URL(url).pathname);
  const db = await openQueue();
  const scan = {
    id: match[1] + ":" + match[2] + ":" + match[3],
    slug: match[1],
    kind: match[2] === "b" ? "badge" : "meeting",
    token: match[3],
    at: new Date().toISOString(),
  };
  await new Promise((resolve, reject) => {
    const tx = db.transaction("scans", "readwrite");
    // The same code scanned twice offline is one scan: the first time counts.
    const store = tx.objectStore("scans");
    const existing = store.get(scan.id);
    existing.onsuccess = () => { if (!existing.result) store.put(scan); };
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
}

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    if (SCAN.test(new URL(request.url).pathname)) {
      await queueScan(request.url);
      return (await cache.match(SHELL)) || Response.error();
    }
    return (await cache.match(request, { ignoreVary: true })) || (await cache.match(SHELL)) || Response.error();
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(asset(request));
  }
});
