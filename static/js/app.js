// Small enhancements; every page works without them.
import { startOfflineSupport } from './offline.js';
import './push.js';

startOfflineSupport();

// New accounts take the phone's own time zone, so "now" means the family's now.
for (const field of document.querySelectorAll('input[name="timezone"][type="hidden"]')) {
  if (!field.value) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
}

// Select the invite link on tap, ready to copy.
for (const field of document.querySelectorAll('.copy-field')) {
  field.addEventListener('focus', () => field.select());
}
