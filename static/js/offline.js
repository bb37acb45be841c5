// Offline logging, from the page's side: register the service worker, hand it the form token,
// ask it to sync when the connection returns, and say how many entries are waiting.
// The worker (sw.js) keeps the queue; this module only talks to it.

const status = document.querySelector('.sync-status');
const messages = JSON.parse(document.getElementById('sync-messages')?.textContent || '{}');
const plurals = new Intl.PluralRules(document.documentElement.lang || 'en');

function show(text) {
  if (!status || !text) return;
  status.textContent = text;
  status.hidden = false;
}

function describe({ saved = 0, waiting = 0, refused = 0, conflicts = 0 }) {
  const justKept = new URLSearchParams(location.search).has('queued');
  const parts = [];
  if (justKept && waiting) parts.push(messages.kept);
  if (waiting) parts.push((messages.waiting[plurals.select(waiting)] || messages.waiting.other).replace('{count}', waiting));
  if (refused) parts.push(messages.refused);
  if (!waiting && !refused && (saved || justKept)) parts.push(messages.saved);
  if (conflicts) parts.push(messages.conflict);
  show(parts.join(' '));
}

export async function startOfflineSupport() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => describe(event.data || {}));
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const worker = () => registration.active || navigator.serviceWorker.controller;
  await navigator.serviceWorker.ready;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  worker()?.postMessage({ type: 'hello', csrf });
  window.addEventListener('online', () => worker()?.postMessage({ type: 'sync' }));
}
