// riskreg theme bootstrap: loaded synchronously in <head> so the right theme
// applies before the first paint. localStorage.theme is 'dark', 'light' or
// absent (follow the system's prefers-color-scheme). app.js owns the toggle.
(function () {
  'use strict';
  var mode = null;
  try {
    mode = window.localStorage.getItem('theme');
  } catch (e) {
    // Storage can be unavailable (privacy settings); follow the system.
  }
  var dark = mode === 'dark' ||
    (mode !== 'light' && !!window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  var root = document.documentElement;
  if (dark) {
    root.classList.add('dark');
  } else {
    root.classList.remove('dark');
  }
})();
