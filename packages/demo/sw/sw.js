// Service worker of the savedmodel-js demo, hand-written (no workbox). The build prepends
// `self.__SW_VERSION` (a hash of every built file) and `self.__SW_ASSETS` (every built file, as
// paths relative to this script) — see vite.config.ts. Strategy: precache everything at install,
// then cache-first for same-origin GETs; navigations fall back to the cached index.html, so the
// app starts and runs with the network cut after the first visit.
/* eslint-env serviceworker */
const VERSION = self.__SW_VERSION;
const ASSETS = self.__SW_ASSETS;
const PREFIX = 'savedmodel-demo-';
const CACHE = PREFIX + VERSION;

const scoped = (path) => new URL(path, self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
    await cache.addAll(ASSETS.map((p) => new Request(scoped(p), { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'version') event.source?.postMessage({ version: VERSION, assets: ASSETS.length });
});

async function respond(request) {
  const cache = await caches.open(CACHE);
  // ignoreVary: servers such as `vite preview` send `Vary: Origin`; a page reload's requests then
  // differ from the precache requests in that header and would miss the cache offline.
  const hit = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  if (request.mode === 'navigate') {
    const index = await cache.match(scoped('./index.html'), { ignoreVary: true });
    if (index) return index;
  }
  try {
    const response = await fetch(request);
    // Runtime-cache anything else of ours (e.g. files added after the precache list was made).
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (e) {
    if (request.mode === 'navigate') {
      const index = await cache.match(scoped('./'), { ignoreVary: true });
      if (index) return index;
    }
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(respond(request));
});
