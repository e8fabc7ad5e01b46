// Camera scanning for the back-office check-in page (src/web/backoffice/checkin-views.tsx).
// Progressive enhancement: without JavaScript or a camera the page's plain form does the job.
// Decodes with BarcodeDetector where the browser has it, else with jsQR (served by Tessera), and
// posts the code as the form would, asking for JSON: the page keeps its camera running, the
// server renders the result panel (one rendering for both paths) and hands the next nonce.
/* global document, window, navigator, requestAnimationFrame */
(function () {
  'use strict';
  var form = document.getElementById('scan-form');
  var panel = document.getElementById('scan-result');
  var camera = document.getElementById('checkin-camera');
  if (!form || !panel || !window.fetch) return;
  var codeInput = form.querySelector('input[name=code]');
  var nonceInput = form.querySelector('input[name=nonce]');
  var sending = false;
  var lastCode = '';
  var lastAt = 0;

  // One scan: the form's fields with the code, answered with the rendered result.
  function send(code) {
    if (sending) return Promise.resolve();
    sending = true;
    var body = new URLSearchParams(new window.FormData(form));
    body.set('code', code);
    return fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (answer) {
        panel.innerHTML = answer.html;
        nonceInput.value = answer.nonce;
        codeInput.value = '';
        codeInput.focus();
      })
      .catch(function () {
        // Keep the nonce: sending the same scan again is safe and returns the first result.
        panel.innerHTML = '<section class="scan-result scan-bad"><p class="scan-verdict">No answer</p><p class="scan-detail">Check the network and scan again.</p></section>';
      })
      .then(function () {
        sending = false;
      });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (codeInput.value.trim()) send(codeInput.value.trim());
  });

  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var start = camera.querySelector('[data-start]');
  var video = camera.querySelector('[data-video]');
  var status = camera.querySelector('[data-status]');
  var canvas = document.createElement('canvas');
  var context = canvas.getContext('2d', { willReadFrequently: true });
  var detector = null;
  camera.hidden = false;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function decoder() {
    if ('BarcodeDetector' in window) {
      detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      return Promise.resolve(function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      });
    }
    return loadScript(camera.dataset.jsqr).then(function () {
      return function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: 'dontInvert' });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function loop(decode) {
    decode()
      .then(function (text) {
        var now = Date.now();
        // The same code held in front of the camera is one scan, not one per frame.
        if (text && (text !== lastCode || now - lastAt > 8000)) {
          lastCode = text;
          lastAt = now;
          return send(text);
        }
      })
      .catch(function () {})
      .then(function () {
        setTimeout(function () {
          requestAnimationFrame(function () {
            loop(decode);
          });
        }, 120);
      });
  }

  start.addEventListener('click', function () {
    start.disabled = true;
    status.textContent = 'Starting the camera…';
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        start.hidden = true;
        return video.play().then(decoder);
      })
      .then(function (decode) {
        status.textContent = 'Hold a code in front of the camera.';
        loop(decode);
      })
      .catch(function () {
        start.disabled = false;
        status.textContent = 'No camera available: type or paste the code below.';
      });
  });
})();
