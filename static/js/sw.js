// The service worker: keeps the app shell and visited pages for offline use, and keeps entries
// logged offline in IndexedDB until the server has them. Served by Flask at /sw.js, which fills
// in the version (a hash of the static files), the list of shell files and the routes it acts on.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const ROUTES = __ROUTES__;
const STATIC_CACHE = `static-${VERSION}`;
// Pages seen while signed out (explainers, the front page) are kept for anyone. Pages seen while
// signed in are kept under the account that saw them, named by the server's X-Account-Cache
// header; the phone keeps one account's pages at a time, and only while the server still says
// that account is signed in here.
const PUBLIC_PAGES = `pages-${VERSION}`;
const ACCOUNT_PAGES = `account-${VERSION}-`;
const ACCOUNT_HEADER = 'X-Account-Cache';
const LANGUAGE_KEY = '/__language';

// Forms that make a diary entry: the quick log (symptom, place) and the full entry forms.
const QUICK_LOG = new RegExp(ROUTES.quickLog);
const NEW_ENTRY = new RegExp(ROUTES.newEntry);
const SIGN_OUT = [new RegExp(ROUTES.signOut), new RegExp(ROUTES.signOutEverywhere)];
const SIGN_IN = new RegExp(ROUTES.signIn);
// Pages never kept on the phone: sign-in pages, other people's shared links, invites, downloads.
const NOT_KEPT = /^\/(account|shared|invite|sw\.js|manifest)|\.pdf$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== STATIC_CACHE && name !== PUBLIC_PAGES && !name.startsWith(ACCOUNT_PAGES)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST') {
    if (QUICK_LOG.test(url.pathname) || NEW_ENTRY.test(url.pathname)) {
      event.respondWith(postOrKeep(request, url));
    } else if (SIGN_OUT.some((route) => route.test(url.pathname))) {
      // A shared phone: what was read stays with the person who read it.
      event.respondWith(forgetAccounts().then(() => fetch(request)));
    }
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    event.respondWith(pageNetworkFirst(request, url));
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(request));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(STATIC_CACHE)).put(request, response.clone());
  return response;
}

// Every account cache on the phone (this version's and any left from an older one).
async function accountCaches() {
  return (await caches.keys()).filter((name) => name.startsWith('account-'));
}

// Forget the pages of every account but `keep`.
async function forgetAccounts(keep = null) {
  for (const name of await accountCaches()) if (name !== keep) await caches.delete(name);
}

// What a response says about this phone's session. A 401 or 403, or being sent to sign-in, means
// the session is gone (signed out elsewhere, password changed, account deleted): every private
// page goes. Otherwise the response names its account, or none when signed out, and the pages of
// any other account go. Returns the cache for this response's account, or null.
async function followSession(response) {
  const finalPath = response.url ? new URL(response.url).pathname : '';
  const gone = response.status === 401 || response.status === 403 || (response.redirected && SIGN_IN.test(finalPath));
  const key = response.headers.get(ACCOUNT_HEADER);
  const mine = !gone && key ? ACCOUNT_PAGES + key : null;
  await forgetAccounts(mine);
  return mine;
}

// The one account whose pages the phone keeps now, if any.
async function currentAccountCache() {
  return (await accountCaches()).find((name) => name.startsWith(ACCOUNT_PAGES)) || null;
}

async function keptExactly(cacheName, request) {
  if (!cacheName || !(await caches.has(cacheName))) return undefined;
  return (await caches.open(cacheName)).match(request);
}

async function keptPage(cacheName, request) {
  if (!cacheName || !(await caches.has(cacheName))) return undefined;
  const pages = await caches.open(cacheName);
  return (await pages.match(request)) || (await pages.match(request, { ignoreSearch: true }));
}

// A page the phone holds is asked for with its ETag: unchanged, the server answers 304 and the
// phone shows its own copy (caregiver/pages.py).
async function revalidated(request) {
  const kept = await keptExactly(await currentAccountCache(), request);
  const etag = kept && kept.headers.get('ETag');
  if (!etag) return { response: await fetch(request) };
  const response = await fetch(request.url, {
    headers: { 'If-None-Match': etag }, credentials: 'same-origin', redirect: 'manual',
  });
  return { response, kept: response.status === 304 ? kept : null };
}

async function pageNetworkFirst(request, url) {
  const publicPages = await caches.open(PUBLIC_PAGES);
  try {
    const { response, kept } = await revalidated(request);
    const account = await followSession(response);
    if (kept && account) return kept;
    const language = response.headers.get('Content-Language');
    if (language) publicPages.put(LANGUAGE_KEY, new Response(language));
    const isPage = (response.headers.get('Content-Type') || '').startsWith('text/html');
    if (response.ok && isPage && !response.redirected && !NOT_KEPT.test(url.pathname)) {
      await (account ? await caches.open(account) : publicPages).put(request, response.clone());
    }
    return response;
  } catch (networkError) {
    const kept = (await keptPage(await currentAccountCache(), request)) || (await keptPage(PUBLIC_PAGES, request));
    if (kept) return kept;
    const language = await publicPages.match(LANGUAGE_KEY).then((r) => (r ? r.text() : 'en'));
    return (await caches.match(`/offline/${language.replace('-', '_')}`)) || (await caches.match('/offline/en'));
  }
}

// A diary entry posted with no connection is kept here and sent later: nothing typed is lost.
async function postOrKeep(request, url) {
  const copy = request.clone();
  try {
    const response = await fetch(request);
    await followSession(response);
    return response;
  } catch (networkError) {
    const entry = await entryFromForm(url, await copy.formData());
    await queue('readwrite', (store) => store.add(entry));
    if (self.registration.sync) self.registration.sync.register('entries').catch(() => {});
    await tellPages({ type: 'queued' });
    return Response.redirect(`/patients/${entry.patientId}/?queued=1`, 303);
  }
}

function localNow() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

async function entryFromForm(url, form) {
  const fields = {};
  for (const [name, value] of form.entries()) {
    if (name !== 'csrf_token' && name !== 'next' && name !== 'submit') fields[name] = value;
  }
  const quick = url.pathname.match(QUICK_LOG);
  const full = url.pathname.match(NEW_ENTRY);
  if (quick) {
    fields.symptom = quick[2];
    fields.occurred_at = localNow(); // when it was logged, not when it reached the server
  }
  return {
    uuid: self.crypto.randomUUID(),
    patientId: Number((quick || full)[1]),
    kind: quick ? 'symptom' : full[2],
    fields,
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

// The queue: one IndexedDB store of entries, keyed by their UUID.
function openQueue() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open('mnd-diary', 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore('entries', { keyPath: 'uuid' });
      opening.result.createObjectStore('settings');
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function queue(mode, work, storeName = 'entries') {
  const db = await openQueue();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const result = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
    transaction.onerror = () => reject(transaction.error);
  });
}

let syncing = null;

const sent = ({ uuid, kind, fields, tz }) => ({ uuid, kind, fields, tz });
// A request stays under the server's 1 MB limit: a kept recording can fill most of one.
const BATCH_BYTES = 900 * 1024;

// Batches of at most 50 entries and BATCH_BYTES of JSON, in the order the entries were kept.
function batches(entries) {
  const found = [];
  let batch = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = JSON.stringify(sent(entry)).length + 1;
    if (batch.length && (batch.length === 50 || bytes + size > BATCH_BYTES)) {
      found.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length) found.push(batch);
  return found;
}

// Send what is waiting, a patient at a time, in batches (50 entries, or fewer to stay under 1 MB). Entries the server has (saved,
// already there, or kept beside a different version it had: a conflict) leave the queue; refused
// ones stay, marked, so nothing is dropped unseen. Conflicts are counted, so the page can say so.
function flushQueue() {
  syncing = syncing || (async () => {
    const token = await queue('readonly', (store) => store.get('csrf'), 'settings');
    const waiting = (await queue('readonly', (store) => store.getAll())).filter((entry) => !entry.refused);
    let saved = 0;
    let conflicts = 0;
    const patients = [...new Set(waiting.map((entry) => entry.patientId))];
    for (const patientId of patients) {
      const mine = waiting.filter((entry) => entry.patientId === patientId);
      for (const batch of batches(mine)) {
        const response = await fetch(ROUTES.syncTemplate.replace('{patient_id}', patientId), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token || '' },
          body: JSON.stringify({ entries: batch.map(sent) }),
        });
        await followSession(response);
        if (!response.ok || response.redirected) throw new Error(`sync answered ${response.status}`);
        const { results } = await response.json();
        await queue('readwrite', (store) => {
          for (const result of results) {
            if (result.status === 'rejected') {
              const entry = batch.find((item) => item.uuid === result.uuid);
              if (entry) store.put({ ...entry, refused: result.errors });
            } else {
              store.delete(result.uuid);
              saved += 1;
              if (result.status === 'conflict') conflicts += 1;
            }
          }
        });
      }
    }
    return { saved, conflicts };
  })().finally(() => { syncing = null; });
  return syncing;
}

async function counts() {
  const all = await queue('readonly', (store) => store.getAll());
  return { waiting: all.filter((entry) => !entry.refused).length, refused: all.filter((entry) => entry.refused).length };
}

async function tellPages(message) {
  const state = { ...message, ...(await counts()) };
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(state);
}

async function syncAndTell() {
  try {
    const { saved, conflicts } = await flushQueue();
    await tellPages({ type: 'synced', saved, conflicts });
  } catch (offline) {
    await tellPages({ type: 'waiting' });
  }
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'entries') event.waitUntil(syncAndTell());
});

// Pages say: here is the form token (for the sync request), and: try to sync now.
self.addEventListener('message', (event) => {
  const message = event.data || {};
  if (message.type === 'hello') {
    event.waitUntil((async () => {
      if (message.csrf) await queue('readwrite', (store) => store.put(message.csrf, 'csrf'), 'settings');
      await syncAndTell();
    })());
  } else if (message.type === 'sync') {
    event.waitUntil(syncAndTell());
  }
});

// An alert or a reminder pushed from the server: show it, and open its page when tapped.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (notJson) {
    message = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(self.registration.showNotification(message.title || 'MND Diary', {
    body: message.body || '', tag: message.tag, data: { url: message.url || '/' },
    icon: '/static/icons/icon-192.png', badge: '/static/icons/icon-192.png', renotify: Boolean(message.tag),
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window' });
    // The app already open on the phone shows the alert; only without one is a window opened.
    const open = windows.find((client) => client.url === target) || windows[0];
    if (!open) return self.clients.openWindow(target);
    const shown = open.url === target ? open : await open.navigate(target);
    return (shown || open).focus().catch(() => undefined);
  })());
});
