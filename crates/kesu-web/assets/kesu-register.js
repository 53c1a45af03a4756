// The registration form's checklist and triage helpers.
(function () {
  var form = document.getElementById('register');
  if (!form) return;
  function update() {
    // The referral block belongs to consumer-association complaints only.
    var referral = document.getElementById('referral');
    var channel = form.querySelector('input[name=channel]:checked');
    if (referral) referral.hidden = !channel || channel.value !== 'consumer_association';
    var done = {};
    form.querySelectorAll('[data-check]').forEach(function (el) {
      var k = el.getAttribute('data-check');
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) return;
      if (el.value.trim() !== '') done[k] = true;
    });
    var all = true;
    document.querySelectorAll('.checklist li').forEach(function (li) {
      var ok = !!done[li.getAttribute('data-item')];
      li.classList.toggle('done', ok);
      all = all && ok;
    });
    document.getElementById('to-review').disabled = !all;
  }
  // Triage's suggestion: taken on request, or at once while no category is chosen.
  function useTriage(button) {
    var category = document.getElementById('category');
    var priority = document.getElementById('priority');
    category.value = button.getAttribute('data-category');
    if (priority && button.getAttribute('data-priority') === 'high') priority.value = 'high';
    category.dispatchEvent(new Event('change', {bubbles: true}));
  }
  form.addEventListener('click', function (e) {
    if (e.target.classList && e.target.classList.contains('use-triage')) useTriage(e.target);
  });
  document.body.addEventListener('htmx:afterSwap', function (e) {
    var button = e.target.querySelector && e.target.querySelector('.use-triage');
    if (button && document.getElementById('category').value === '') useTriage(button);
  });
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();
