// Small enhancements; every page works without them.
import { startOfflineSupport } from './offline.js';
import './push.js';

startOfflineSupport();

// New accounts take the phone's own time zone, so "now" means the family's now.
for (const field of document.querySelectorAll('input[name="timezone"][type="hidden"]')) {
  if (!field.value) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
}

// A time-zone picker not chosen yet starts on the phone's zone (the user still saves it). Browsers
// may name a zone by an older alias ("Asia/Calcutta"), so options are compared as the browser
// resolves them too.
for (const select of document.querySelectorAll('select[data-own-zone="suggest"]')) {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const resolved = (zone) => {
    try { return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone; } catch { return null; }
  };
  const match = [...select.options].find((option) => option.value === own)
    || [...select.options].find((option) => resolved(option.value) === own);
  if (match) select.value = match.value;
}

// Select the invite link on tap, ready to copy.
for (const field of document.querySelectorAll('.copy-field')) {
  field.addEventListener('focus', () => field.select());
}
