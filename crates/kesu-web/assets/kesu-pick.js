// The case page's pickers in action forms.
document.querySelectorAll('select.script-pick').forEach(function (pick) {
  if (pick.dataset.ready) return;
  pick.dataset.ready = '1';
  pick.addEventListener('change', function () {
    if (!pick.value) return;
    var box = pick.closest('form').querySelector('textarea[name=text]');
    box.value = pick.value;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    box.focus();
  });
});
