// Bulk edit on the register (views/risks/bulk.templ). Without this script
// the bar is always shown and works as a plain form; with it:
//   [data-bulk-bar]        hidden until a risk is ticked; counts the selection
//   [data-bulk-page]       ticks or clears every row of the page
//   [data-bulk-row]        a row's checkbox (table and phone card share a value)
//   [data-bulk-all]        "all N matching the filters": offered once the whole
//                          page is ticked and more risks match
//   [data-bulk-action]     shows only the chosen action's [data-bulk-field]s
// Everything is delegated from document, so htmx swaps of the results need
// no re-binding; the script runs once per page.
(function () {
  'use strict';
  if (window.riskregBulk) return;
  window.riskregBulk = true;

  var doc = document;

  function bar() { return doc.querySelector('[data-bulk-bar]'); }
  function rows() { return Array.prototype.slice.call(doc.querySelectorAll('input[data-bulk-row]')); }

  // The selected values, once each (a risk has a table and a card box).
  function selected() {
    var seen = {};
    rows().forEach(function (b) { if (b.checked) seen[b.value] = true; });
    return Object.keys(seen);
  }
  function pageValues() {
    var seen = {};
    rows().forEach(function (b) { seen[b.value] = true; });
    return Object.keys(seen);
  }

  function setRow(value, on) {
    rows().forEach(function (b) { if (b.value === value) b.checked = on; });
  }

  function showFields(form) {
    var sel = form.querySelector('[data-bulk-action]');
    var action = sel ? sel.value : '';
    form.querySelectorAll('[data-bulk-field]').forEach(function (el) {
      var on = el.getAttribute('data-bulk-field').split(' ').indexOf(action) >= 0;
      el.hidden = !on;
    });
    var status = form.querySelector('[name=status]');
    var reason = form.querySelector('[name=closure_reason]');
    if (status && reason) {
      // A closure reason applies only when closing: off (and not sent) otherwise.
      reason.disabled = status.value !== 'closed';
      reason.closest('div').hidden = status.value !== 'closed';
    }
  }

  function update() {
    var form = bar();
    if (!form) return;
    var total = parseInt(form.getAttribute('data-total'), 10) || 0;
    var all = form.querySelector('[data-bulk-all]');
    var picked = selected();
    var onPage = pageValues();
    var wholePage = onPage.length > 0 && picked.length === onPage.length;
    if (all && all.checked && !wholePage) all.checked = false;
    var everything = all && all.checked;
    var n = everything ? total : picked.length;
    form.hidden = n === 0;
    var count = form.querySelector('[data-bulk-count]');
    if (count) {
      count.textContent = everything ? 'All ' + total + ' matching risks selected'
        : n === 1 ? '1 risk selected' : n + ' risks selected';
    }
    var offer = form.querySelector('[data-bulk-all-option]');
    if (offer) offer.hidden = !(wholePage && total > onPage.length);
    doc.querySelectorAll('[data-bulk-page]').forEach(function (h) {
      h.checked = wholePage;
      h.indeterminate = picked.length > 0 && !wholePage;
    });
    showFields(form);
  }

  doc.addEventListener('change', function (e) {
    var t = e.target;
    if (!t || !t.matches) return;
    if (t.matches('input[data-bulk-row]')) {
      setRow(t.value, t.checked);
    } else if (t.matches('input[data-bulk-page]')) {
      pageValues().forEach(function (v) { setRow(v, t.checked); });
    } else if (!t.matches('[data-bulk-all], [data-bulk-action], [data-bulk-bar] [name=status]')) {
      return;
    }
    update();
  });

  // The Clear button is a reset: let it clear, then recount.
  doc.addEventListener('reset', function (e) {
    if (e.target && e.target.matches && e.target.matches('[data-bulk-bar]')) window.setTimeout(update, 0);
  });

  doc.addEventListener('htmx:afterSettle', update);
  doc.addEventListener('htmx:historyRestore', update);
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', update);
  else update();
})();
