// Camera scanning for the web app's "Exchange cards" page (src/web/attendee/leads-views.tsx).
// Progressive enhancement: without a camera or JavaScript the page's plain form does the job.
// Decodes with BarcodeDetector where the browser has it, else with jsQR (served by Tessera).
// From a personal QR code it takes the LEAD ID only and posts nothing else: the rest of the QR
// text is a check-in credential and never leaves this page (docs/check-in.md, "Lead exchange").
/* global document, window, navigator, requestAnimationFrame */
(function () {
  'use strict';
  var root = document.getElementById('lead-scanner');
  if (!root || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var button = root.querySelector('[data-start]');
  var video = root.querySelector('[data-video]');
  var status = root.querySelector('[data-status]');
  var stream = null;
  var busy = false;
  root.hidden = false;

  var LEAD = /^[2-9A-HJKMNP-Z]{4}-?[2-9A-HJKMNP-Z]{4}$/;

  // TQ1:<EVENT ID>:<PARTICIPANT ID>:<VERSION>:<LEAD ID>:<SIGNATURE>, or a bare lead id.
  function leadIdOf(text) {
    var value = String(text || '').trim().toUpperCase();
    var parts = value.split(':');
    if (parts[0] === 'TQ1' && parts.length === 6 && LEAD.test(parts[4])) return parts[4];
    return LEAD.test(value) ? value : null;
  }

  function say(text) {
    status.textContent = text;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function makeDecoder() {
    var native = window.BarcodeDetector;
    var nativeReady = native && native.getSupportedFormats
      ? native.getSupportedFormats().then(function (formats) { return formats.indexOf('qr_code') >= 0; }, function () { return false; })
      : Promise.resolve(false);
    return nativeReady.then(function (ok) {
      if (ok) {
        var detector = new native({ formats: ['qr_code'] });
        return function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }
      return loadScript(root.dataset.jsqr).then(function () {
        var canvas = document.createElement('canvas');
        var context = canvas.getContext('2d', { willReadFrequently: true });
        return function () {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) return Promise.resolve(null);
          canvas.width = width;
          canvas.height = height;
          context.drawImage(video, 0, 0, width, height);
          var image = context.getImageData(0, 0, width, height);
          var code = window.jsQR(image.data, width, height, { inversionAttempts: 'attemptBoth' });
          return Promise.resolve(code ? code.data : null);
        };
      });
    });
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    button.disabled = false;
  }

  function send(leadId) {
    busy = true;
    say('Collecting ' + leadId + '…');
    return window
      .fetch(root.dataset.post, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': root.dataset.csrf },
        body: JSON.stringify({ leadId: leadId }),
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            stop();
            window.location.href = root.dataset.done + encodeURIComponent(body.exchangeId) + (body.created ? '&new=1' : '');
            return;
          }
          say(body && body.error ? body.error.message : 'That did not work. Try again, or type the lead id below.');
          busy = false;
        });
      })
      .catch(function () {
        say('No connection. Try again, or type the lead id below.');
        busy = false;
      });
  }

  function scan(decode) {
    if (!stream) return;
    var next = function () { requestAnimationFrame(function () { scan(decode); }); };
    if (busy) return next();
    decode().then(function (text) {
      if (text) {
        var leadId = leadIdOf(text);
        if (leadId) return send(leadId).then(next);
        say('This QR code is not an attendee badge.');
      }
      next();
    }, next);
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say('Starting the camera…');
    Promise.all([navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }), makeDecoder()])
      .then(function (both) {
        stream = both[0];
        video.srcObject = stream;
        video.hidden = false;
        return video.play().then(function () {
          say('Point the camera at a badge QR code.');
          scan(both[1]);
        });
      })
      .catch(function () {
        stop();
        say('The camera is not available here. Type the lead id below instead.');
      });
  });
})();
