// Web Push on this device, from the alert settings page: ask for permission only when the person
// taps the button, subscribe with the server's VAPID key, and tell the server (or stop).
const section = document.querySelector('.push-device');

function keyBytes(base64url) {
  const padded = (base64url + '==='.slice((base64url.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

async function send(url, body) {
  const token = document.querySelector('meta[name="csrf-token"]')?.content || '';
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
  });
  if (!response.ok) throw new Error(`answered ${response.status}`);
}

async function start() {
  const status = section.querySelector('.push-status');
  const on = section.querySelector('.push-on');
  const off = section.querySelector('.push-off');
  const say = (key) => { status.textContent = section.dataset[key]; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('unsupported');
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const show = async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (Notification.permission === 'denied') say('denied');
    else say(subscription ? 'on' : 'off');
    on.hidden = Boolean(subscription) || Notification.permission === 'denied';
    off.hidden = !subscription;
  };
  on.addEventListener('click', async () => {
    try {
      if (await Notification.requestPermission() !== 'granted') return show();
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(section.dataset.key),
      });
      await send(section.dataset.subscribe, subscription.toJSON());
    } catch (failure) {
      say('failed');
      return undefined;
    }
    return show();
  });
  off.addEventListener('click', async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await send(section.dataset.unsubscribe, { endpoint: subscription.endpoint }).catch(() => {});
      await subscription.unsubscribe();
    }
    show();
  });
  show();
}

if (section) start();
