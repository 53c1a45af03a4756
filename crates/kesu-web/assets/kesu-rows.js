// Editable lists of rows (the rules editors, an order's lines): add and remove rows.
document.addEventListener('click', function (e) {
  var t = e.target;
  if (!t.classList) return;
  function copyLast(selector) {
    var rows = t.parentNode.querySelectorAll(selector);
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll('input').forEach(function (i) { i.value = ''; });
    copy.querySelectorAll('select').forEach(function (s) { s.selectedIndex = 0; });
    t.parentNode.insertBefore(copy, t);
    return copy;
  }
  if (t.classList.contains('add-row')) {
    copyLast('.row');
  } else if (t.classList.contains('add-word')) {
    copyLast('.word').querySelector('input').focus();
  } else if (t.classList.contains('remove-word')) {
    var row = t.parentNode, list = row.parentNode;
    if (list.querySelectorAll('.word').length > 1) row.remove(); else row.querySelector('input').value = '';
  }
});
