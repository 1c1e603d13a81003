// riskreg page behaviour. Loaded with `defer` after htmx. CSP-safe: no eval,
// no inline handlers, no style attributes. Everything is delegated from
// `document`, so it also works for content that htmx swaps in.
//
// Data-attribute contract:
//   [data-theme-toggle]          click cycles theme light -> dark -> system
//   form[data-confirm="…"]       confirm before submitting (plain or htmx);
//                                also on a submit button or an htmx element
//   [data-search-input]          "/" focuses it
//   a[data-shortcut-new]         "n" follows it
//   [data-row-nav] [data-row-link="/url"]  "j"/"k" move, Enter opens
//   dialog#shortcuts-help        "?" toggles it, Escape closes it
//   #flash [data-flash]          toast, removed after 5 s (unless
//                                data-flash-persist); [data-flash-close] removes it
//   [aria-invalid="true"]        first one is focused after a form swap / on load
//   [data-copy="text"]           click copies text, label shows "Copied"
//   details[data-menu]           menus (phone menu, Columns): Escape, a click outside,
//                                an htmx request or a return to the page
//                                closes it
//   [data-filter-form="id"][data-filter-values="a=1&b=2"]
//                                after a swap, form#id's controls show these values
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;

  function ready(fn) {
    if (doc.readyState === 'loading') {
      doc.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  function isVisible(el) {
    return !!el && el.isConnected && el.getClientRects().length > 0;
  }

  // sameOrigin returns the absolute URL if it stays on this site, else null,
  // so a data attribute can never navigate to javascript: or another origin.
  function sameOrigin(href) {
    if (!href) return null;
    try {
      var u = new URL(href, window.location.href);
      return u.origin === window.location.origin ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- theme
  var THEME_KEY = 'theme';
  var THEMES = ['light', 'dark', 'system'];
  var darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function storedTheme() {
    try {
      var t = window.localStorage.getItem(THEME_KEY);
      return t === 'light' || t === 'dark' ? t : 'system';
    } catch (e) {
      return 'system';
    }
  }

  function applyTheme(mode) {
    var dark = mode === 'dark' || (mode === 'system' && !!darkQuery && darkQuery.matches);
    root.classList.toggle('dark', dark);
  }

  function syncThemeToggles() {
    var mode = storedTheme();
    var label = 'Theme: ' + mode;
    doc.querySelectorAll('[data-theme-toggle]').forEach(function (btn) {
      btn.setAttribute('aria-label', label);
      btn.setAttribute('title', label);
      btn.setAttribute('data-theme-mode', mode);
    });
  }

  function cycleTheme() {
    var next = THEMES[(THEMES.indexOf(storedTheme()) + 1) % THEMES.length];
    try {
      if (next === 'system') {
        window.localStorage.removeItem(THEME_KEY);
      } else {
        window.localStorage.setItem(THEME_KEY, next);
      }
    } catch (e) {
      // Not persisted; still apply for this page.
    }
    applyTheme(next);
    syncThemeToggles();
  }

  if (darkQuery) {
    var onSystemChange = function () {
      if (storedTheme() === 'system') applyTheme('system');
    };
    if (darkQuery.addEventListener) {
      darkQuery.addEventListener('change', onSystemChange);
    } else if (darkQuery.addListener) {
      darkQuery.addListener(onSystemChange);
    }
  }

  // Another tab changed the theme.
  window.addEventListener('storage', function (e) {
    if (e.key === THEME_KEY || e.key === null) {
      applyTheme(storedTheme());
      syncThemeToggles();
    }
  });

  // -------------------------------------------------------------- confirm
  // Submit events already confirmed by the plain-submit handler, so the
  // htmx:confirm that htmx raises for the same event does not ask twice.
  var confirmedEvents = new WeakSet();

  function confirmMessage(el) {
    if (!el || !el.closest) return null;
    if (el.hasAttribute('data-confirm')) return el.getAttribute('data-confirm');
    var form = el.closest('form');
    if (form && form.hasAttribute('data-confirm')) return form.getAttribute('data-confirm');
    return null;
  }

  // Plain (and boosted/hx-post) form submits. Capture phase, so a declined
  // submit never reaches htmx's listener on the form.
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = e.submitter;
    var msg = submitter && submitter.hasAttribute('data-confirm')
      ? submitter.getAttribute('data-confirm')
      : form.getAttribute('data-confirm');
    if (msg === null) return;
    if (window.confirm(msg)) {
      confirmedEvents.add(e);
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  }, true);

  // htmx-triggered requests (hx-post/hx-delete on buttons, links, forms).
  doc.addEventListener('htmx:confirm', function (e) {
    var d = e.detail || {};
    var msg = confirmMessage(d.elt);
    if (msg === null) return;
    if (d.triggeringEvent && confirmedEvents.has(d.triggeringEvent)) return;
    e.preventDefault();
    if (window.confirm(msg)) {
      d.issueRequest(true);
    }
  });

  // ------------------------------------------------------------ shortcuts
  function isTyping(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.isContentEditable) return true;
    return !!el.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])');
  }

  function helpDialog() {
    var d = doc.getElementById('shortcuts-help');
    return d && typeof d.showModal === 'function' ? d : null;
  }

  function rows() {
    return Array.prototype.filter.call(
      doc.querySelectorAll('[data-row-nav] [data-row-link]'), isVisible);
  }

  function activeRow() {
    var r = doc.querySelector('[data-row-nav] .row-active[data-row-link]');
    return isVisible(r) ? r : null;
  }

  function setActiveRow(row) {
    doc.querySelectorAll('.row-active').forEach(function (r) {
      r.classList.remove('row-active');
      r.removeAttribute('aria-selected');
    });
    if (!row) return;
    row.classList.add('row-active');
    row.setAttribute('aria-selected', 'true');
    row.scrollIntoView({ block: 'nearest' });
  }

  function moveRow(step) {
    var list = rows();
    if (list.length === 0) return false;
    var i = list.indexOf(activeRow());
    var next = i < 0 ? 0 : Math.min(Math.max(i + step, 0), list.length - 1);
    setActiveRow(list[next]);
    return true;
  }

  doc.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
    var dialog = helpDialog();
    var dialogOpen = !!dialog && dialog.open;

    if (e.key === 'Escape') {
      if (dialogOpen) {
        e.preventDefault();
        dialog.close();
        return;
      }
      var menu = e.target.closest && e.target.closest('details[data-menu][open]');
      if (closeMenus() && menu) {
        e.preventDefault();
        var summary = menu.querySelector('summary');
        if (summary) summary.focus();
      }
      return;
    }
    if (isTyping(e.target)) return;

    if (e.key === '?') {
      if (!dialog) return;
      e.preventDefault();
      if (dialogOpen) dialog.close(); else dialog.showModal();
      return;
    }
    if (dialogOpen) return;

    switch (e.key) {
      case '/': {
        // Prefer the page's own search box (the register's) over the top bar's.
        var search = Array.prototype.find.call(doc.querySelectorAll('main [data-search-input]'), isVisible) ||
          Array.prototype.find.call(doc.querySelectorAll('[data-search-input]'), isVisible);
        if (!search) return;
        e.preventDefault();
        search.focus();
        if (typeof search.select === 'function') search.select();
        return;
      }
      case 'n': {
        var link = doc.querySelector('a[data-shortcut-new]');
        var href = link && sameOrigin(link.getAttribute('href'));
        if (!href) return;
        e.preventDefault();
        window.location.href = href;
        return;
      }
      case 'j':
        if (moveRow(1)) e.preventDefault();
        return;
      case 'k':
        if (moveRow(-1)) e.preventDefault();
        return;
      case 'Enter': {
        // Let focused links and buttons do their own thing.
        if (e.target.closest && e.target.closest('a[href], button, summary, [role="button"], [role="link"]')) return;
        var row = activeRow();
        var url = row && sameOrigin(row.getAttribute('data-row-link'));
        if (!url) return;
        e.preventDefault();
        window.location.href = url;
        return;
      }
    }
  });

  // ----------------------------------------------------------------- menus
  // closeMenus closes every open menu except keep; it reports whether one was open.
  function closeMenus(keep) {
    var closed = false;
    doc.querySelectorAll('details[data-menu][open]').forEach(function (d) {
      if (d === keep) return;
      d.open = false;
      closed = true;
    });
    return closed;
  }

  doc.addEventListener('click', function (e) {
    var t = e.target;
    closeMenus(t && t.closest ? t.closest('details[data-menu]') : null);
  }, true);
  doc.addEventListener('htmx:beforeRequest', function () { closeMenus(); });
  // Back and forward restore pages from the cache with the menu as it was.
  window.addEventListener('pageshow', function () { closeMenus(); });

  // --------------------------------------------------------------- flashes
  var FLASH_MS = 5000;
  var armedFlashes = new WeakSet();

  function scheduleDismiss(toast, ms) {
    window.setTimeout(function () {
      if (!toast.isConnected) return;
      // Keep it while the pointer or keyboard focus is on it.
      if (toast.matches(':hover') || toast.contains(doc.activeElement)) {
        scheduleDismiss(toast, 1500);
        return;
      }
      toast.remove();
    }, ms);
  }

  function armFlashes() {
    doc.querySelectorAll('#flash [data-flash]').forEach(function (toast) {
      if (armedFlashes.has(toast)) return;
      armedFlashes.add(toast);
      if (!toast.hasAttribute('data-flash-persist')) scheduleDismiss(toast, FLASH_MS);
    });
  }

  // ----------------------------------------------------------------- clicks
  doc.addEventListener('click', function (e) {
    var t = e.target;
    if (!t || !t.closest) return;

    var toggle = t.closest('[data-theme-toggle]');
    if (toggle) {
      e.preventDefault();
      cycleTheme();
      return;
    }

    var close = t.closest('[data-flash-close]');
    if (close) {
      e.preventDefault();
      var toast = close.closest('[data-flash]');
      if (toast) toast.remove();
      return;
    }

    var copy = t.closest('[data-copy]');
    if (copy) {
      e.preventDefault();
      copyText(copy.getAttribute('data-copy') || '', copy);
    }
  });

  // ------------------------------------------------------------------ copy
  function fallbackCopy(text) {
    var ta = doc.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'sr-only';
    doc.body.appendChild(ta);
    ta.select();
    var ok = false;
    try {
      ok = doc.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    ta.remove();
    return ok;
  }

  function showCopied(btn, ok) {
    var target = btn.querySelector('[data-copy-label]') || btn;
    if (!btn.hasAttribute('data-copy-original')) {
      btn.setAttribute('data-copy-original', target.textContent);
    }
    target.textContent = ok ? 'Copied' : 'Copy failed';
    window.clearTimeout(btn._copyTimer);
    btn._copyTimer = window.setTimeout(function () {
      target.textContent = btn.getAttribute('data-copy-original');
      btn.removeAttribute('data-copy-original');
    }, 1500);
  }

  function copyText(text, btn) {
    var done = function (ok) {
      showCopied(btn, ok);
      btn.focus();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(true); },
        function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  }

  // ------------------------------------------------------- invalid fields
  function focusable(el) {
    if (el.matches('input, select, textarea, button, a[href], [tabindex]')) return el;
    return el.querySelector('input:not([type="hidden"]), select, textarea, [tabindex]') || el;
  }

  function focusFirstInvalid(scope) {
    var el = scope.matches && scope.matches('[aria-invalid="true"]')
      ? scope
      : scope.querySelector('[aria-invalid="true"]');
    if (!el) return false;
    var f = focusable(el);
    f.focus();
    return doc.activeElement === f;
  }

  // Several afterSwap events fire for one swap (one per new top-level
  // element); focus only once per swap.
  var focusedThisSwap = false;

  doc.addEventListener('htmx:afterSwap', function (e) {
    var d = e.detail || {};
    var rc = d.requestConfig;
    // Only after a submission, so live filters and inline validation never
    // pull focus away from the field being typed in.
    if (rc && rc.verb === 'get' && !(rc.triggeringEvent && rc.triggeringEvent.type === 'submit')) return;
    if (focusedThisSwap || !(e.target instanceof Element)) return;
    if (focusFirstInvalid(e.target)) {
      focusedThisSwap = true;
      window.setTimeout(function () { focusedThisSwap = false; }, 0);
    }
  });

  // htmx does not swap 4xx by default: swap validation errors (422) and
  // conflicts (409) so the form re-renders with its messages.
  doc.addEventListener('htmx:beforeSwap', function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr && (xhr.status === 422 || xhr.status === 409)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Plain GET forms marked data-drop-empty (no htmx) leave their empty
  // fields out too: disabled for the submit, enabled again right after.
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches || !form.matches('form[data-drop-empty]:not([hx-get])')) return;
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') return;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && !el.disabled && el.value === '') {
        el.disabled = true;
        setTimeout(function () { el.disabled = false; }, 0);
      }
    });
  });

  // Forms marked data-drop-empty leave empty parameters out of GET
  // requests, so the pushed address stays short and shareable.
  doc.addEventListener('htmx:configRequest', function (e) {
    var d = e.detail;
    if (!d || d.verb !== 'get' || !d.elt || !d.elt.closest) return;
    var form = d.elt.closest('[data-drop-empty]') || (d.elt.form && d.elt.form.closest && d.elt.form.closest('[data-drop-empty]'));
    if (!form && !(d.elt.getAttribute && d.elt.getAttribute('form'))) return;
    var fd = d.formData; // htmx 2: the FormData behind d.parameters
    if (!fd || typeof fd.forEach !== 'function') return;
    var empty = [];
    fd.forEach(function (v, k) { if (v === '') empty.push(k); });
    empty.forEach(function (k) { if (fd.getAll(k).every(function (v) { return v === ''; })) fd.delete(k); });
  });

  // The register's results carry their filters (data-filter-values, URL
  // encoded) and name the filter form (data-filter-form): after a swap,
  // or going back, the form's own controls show those filters (a removed
  // chip clears its control), except the one being typed in.
  function syncFilterForms() {
    doc.querySelectorAll('[data-filter-form]').forEach(function (results) {
      var form = doc.getElementById(results.getAttribute('data-filter-form'));
      if (!form) return;
      var v = new URLSearchParams(results.getAttribute('data-filter-values') || '');
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el === doc.activeElement || !form.contains(el) || el.type === 'hidden' || el.type === 'submit') return;
        if (el.type === 'checkbox') {
          el.checked = v.has(el.name);
        } else {
          el.value = v.get(el.name) || '';
        }
      });
    });
  }

  // Any other failed htmx request gets a toast instead of silence.
  doc.addEventListener('htmx:responseError', function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (!xhr || xhr.status === 422 || xhr.status === 409) return;
    var msg = xhr.status === 401 ? 'Your session has ended. Please sign in again.'
      : xhr.status === 403 ? 'You do not have permission to do that.'
      : xhr.status === 400 ? 'Some of the request was invalid; please check the filters.'
      : 'Something went wrong (' + xhr.status + '). Please try again.';
    showToast(msg);
  });
  doc.addEventListener('htmx:sendError', function () { showToast('The server could not be reached. Check your connection.'); });

  function showToast(msg) {
    var area = doc.getElementById('flash');
    if (!area) return;
    var box = doc.createElement('div');
    box.setAttribute('data-flash', '');
    box.className = 'pointer-events-auto flex items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100';
    var p = doc.createElement('p');
    p.className = 'flex-1';
    p.textContent = msg;
    var close = doc.createElement('button');
    close.type = 'button';
    close.setAttribute('data-flash-close', '');
    close.setAttribute('aria-label', 'Dismiss');
    close.className = 'rounded px-1 opacity-70 hover:opacity-100';
    close.textContent = '✕';
    box.appendChild(p);
    box.appendChild(close);
    area.appendChild(box);
    armFlashes();
  }

  // -------------------------------------------------------- after content
  doc.addEventListener('htmx:afterSettle', function () {
    armFlashes();
    syncThemeToggles();
  });
  doc.addEventListener('htmx:afterSwap', syncFilterForms);
  doc.addEventListener('htmx:oobAfterSwap', armFlashes);
  doc.addEventListener('htmx:historyRestore', function () {
    armFlashes();
    syncThemeToggles();
    syncFilterForms();
  });

  ready(function () {
    applyTheme(storedTheme());
    syncThemeToggles();
    armFlashes();
    focusFirstInvalid(doc);
  });
})();
