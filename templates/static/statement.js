// Bank statement import: progress while a large file goes up, and no second click on the confirmation.
//
// What the upload bar shows: the bytes of the form (the file, mostly) the browser has sent so far, from the
// XMLHttpRequest upload progress events; once everything is sent it turns indeterminate while the server reads the
// file, and the next page (the column mapping) opens when the server answers. Reading happens in that one request,
// so there is no server-side percentage to show. Without JavaScript the form posts normally and the browser's own
// loading indicator is all there is; nothing else changes.
//
// The confirmation queues a background job and the server answers at once with the statement's page, which shows
// the job's progress and reloads itself (a <meta> refresh, no script) until it is done. The button is disabled once
// pressed so the statement is not sent twice (the server would join the second to the first anyway).
(function () {
  'use strict';

  function show(box, text) {
    box.hidden = false;
    var status = box.querySelector('[role=status]');
    if (status) { status.textContent = text; }
  }

  function bindUpload() {
    var form = document.getElementById('statement-upload');
    if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
    form.addEventListener('submit', function (ev) {
      var box = document.getElementById('upload-progress');
      var bar = document.getElementById('upload-bar');
      var button = form.querySelector('button[type=submit]');
      if (!box || !bar) { return; } // the normal post
      ev.preventDefault();
      var file = form.querySelector('input[type=file]');
      var limit = Number(form.dataset.max);
      if (file && file.files.length && limit && file.files[0].size > limit) {
        show(box, form.dataset.tooBig); // the server would refuse it after the whole upload
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) { return; }
        bar.max = e.total;
        bar.value = e.loaded;
        show(box, form.dataset.sending + ' ' + Math.floor(100 * e.loaded / e.total) + '%');
      });
      xhr.upload.addEventListener('load', function () {
        bar.removeAttribute('value'); // indeterminate: the server is reading the file
        show(box, form.dataset.processing);
      });
      xhr.addEventListener('load', function () {
        // Success is a redirect, which XMLHttpRequest follows: go where it led.
        if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf('/upload') < 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // A refusal (422, 413, 403) is a page with the message: show its main part here.
        var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        var main = doc.querySelector('main');
        if (main) {
          document.querySelector('main').replaceWith(main);
          bindUpload();
        } else {
          show(box, form.dataset.failed);
          button.disabled = false;
        }
      });
      xhr.addEventListener('error', function () {
        show(box, form.dataset.failed);
        button.disabled = false;
      });
      button.disabled = true;
      bar.value = 0;
      show(box, form.dataset.sending + ' 0%');
      xhr.send(new FormData(form));
    });
  }

  function bindConfirm() {
    var form = document.getElementById('statement-confirm');
    if (!form) { return; }
    form.addEventListener('submit', function () {
      // Disable after the submission has started, so the button's own value still goes with the form.
      window.setTimeout(function () { form.querySelector('button[type=submit]').disabled = true; }, 0);
    });
  }

  bindUpload();
  bindConfirm();
})();
