// kesu workbench: keyboard shortcuts and small helpers, served as a file (no inline script).
//
// - Ctrl+Enter (⌘+Enter) in a text box sends its form: the reply box, a note, any action.
// - On the queue, j / k move between cases and Enter opens the one picked; the order of the
//   queue is remembered for this tab, so that on a case page j / k (and the 上一件 / 下一件
//   links) go to the next or previous case of the same list.
// - The queue's "select all" box ticks every case for bulk assignment.
(function () {
  'use strict';
  var KEY = 'kesu-queue';

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.tagName === 'TEXTAREA') {
      var form = e.target.closest('form');
      if (form) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    }
  });

  // The queue: remember its order, move with j / k.
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.queue tbody tr[data-case]'));
  if (rows.length) {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(rows.map(function (r) {
        var a = r.querySelector('a[href^="/cases/"]');
        return { id: r.getAttribute('data-case'), number: a ? a.textContent : '' };
      })));
    } catch (err) { /* private mode: no memory, no harm */ }
    var at = -1;
    var pick = function (i) {
      if (at >= 0) rows[at].classList.remove('picked');
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add('picked');
      var link = rows[at].querySelector('a[href^="/cases/"]');
      if (link) link.focus();
    };
    document.addEventListener('keydown', function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'j') { pick(at + 1); e.preventDefault(); }
      if (e.key === 'k') { pick(at - 1); e.preventDefault(); }
    });
  }
  var all = document.querySelector('input[data-select-all]');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('table.queue input[name=case]').forEach(function (b) { b.checked = all.checked; });
    });
  }

  // A case page: the previous and next case of the remembered queue.
  var nav = document.querySelector('nav.case-nav[data-case]');
  if (nav) {
    var list = [];
    try { list = JSON.parse(sessionStorage.getItem(KEY) || '[]'); } catch (err) { list = []; }
    var here = nav.getAttribute('data-case');
    var i = list.findIndex(function (x) { return String(x.id) === here; });
    if (i >= 0) {
      var link = function (item, cls, label) {
        var a = document.createElement('a');
        a.href = '/cases/' + item.id;
        a.className = cls;
        a.textContent = label + ' ' + item.number;
        nav.appendChild(a);
        return a;
      };
      var prev = i > 0 ? link(list[i - 1], 'prev', nav.getAttribute('data-prev')) : null;
      var next = i < list.length - 1 ? link(list[i + 1], 'next', nav.getAttribute('data-next')) : null;
      document.addEventListener('keydown', function (e) {
        if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
        if (e.key === 'j' && next) location.href = next.href;
        if (e.key === 'k' && prev) location.href = prev.href;
      });
    }
  }
}());

// On a narrow screen the step bar scrolls: keep the current step in view.
(function () {
  var bar = document.querySelector('ol.steps');
  var current = bar && bar.querySelector('li.current');
  if (bar && current && bar.scrollWidth > bar.clientWidth) {
    bar.scrollLeft = current.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2;
  }
}());

// The analysis form's "usual cause" button fills liability and root cause in one click (the
// department still sends the form itself).
document.querySelectorAll('button.use-usual').forEach(function (button) {
  button.addEventListener('click', function () {
    var form = button.closest('form');
    form.querySelector('select[name=liability]').value = button.getAttribute('data-liability');
    form.querySelector('select[name=root_cause]').value = button.getAttribute('data-root-cause');
  });
});
