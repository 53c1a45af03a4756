// kesu uploads: a form.upload (multipart, works without script) is sent in the background
// with a progress bar; too many or too large files are refused before a byte is sent, and a
// refusal from the server is shown above the button instead of replacing the page.
(function () {
  'use strict';
  document.querySelectorAll('form.upload').forEach(function (form) {
    var input = form.querySelector('input[type=file]');
    var bar = form.querySelector('progress');
    var error = form.querySelector('.upload-error');
    var button = form.querySelector('button[type=submit]');
    var maxFiles = Number(form.getAttribute('data-max-files')) || Infinity;
    var maxBytes = Number(form.getAttribute('data-max-bytes')) || Infinity;
    var say = function (text) {
      error.textContent = text;
      error.hidden = !text;
    };
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      say('');
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { say(form.getAttribute('data-none')); return; }
      if (files.length > maxFiles) { say(form.getAttribute('data-too-many')); return; }
      var big = files.find(function (f) { return f.size > maxBytes; });
      if (big) { say(form.getAttribute('data-too-large') + ' ' + big.name); return; }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      button.textContent = form.getAttribute('data-sending');
      xhr.upload.addEventListener('progress', function (p) {
        if (p.lengthComputable) bar.value = Math.round(p.loaded * 100 / p.total);
      });
      // Sent: the server works on it now (a big sheet takes a while); the bar says so.
      xhr.upload.addEventListener('load', function () {
        var working = form.getAttribute('data-processing');
        if (working) { bar.removeAttribute('value'); button.textContent = working; }
      });
      var done = function () {
        button.disabled = false;
        button.textContent = form.getAttribute('data-label');
        bar.hidden = true;
      };
      xhr.addEventListener('load', function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          // The server answered with the page it redirected to: show it, at its files.
          if (form.hasAttribute('data-follow')) { location.assign(xhr.responseURL); return; }
          var back = form.getAttribute('data-back');
          if (location.pathname === back) { location.hash = 'evidence'; location.reload(); }
          else { location.assign(back + '#evidence'); }
          return;
        }
        done();
        var page = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        // The page the server answered with names the refusal in an alert (an error page
        // in its first paragraph).
        var said = [page.querySelectorAll('[role=alert]'), page.querySelectorAll('main p')]
          .map(function (found) {
            return Array.prototype.slice.call(found)
              .map(function (e) { return e.textContent.trim(); })
              .find(function (t) { return t; });
          })
          .find(function (t) { return t; });
        say(said || form.getAttribute('data-failed'));
      });
      xhr.addEventListener('error', function () { done(); say(form.getAttribute('data-failed')); });
      xhr.send(new FormData(form));
    });
  });
}());
