/* Baoxue: the state of every save, and no edit lost without the user being told.
 *
 * Dash's renderer sends each callback with window.fetch (POST /_dash-update-component) and, when the request
 * fails (network error, HTTP 5xx), drops it silently. This script wraps fetch for those requests only:
 *  - a save (a callback the server marked with @saves, listed in #bx-save-config data-outputs) shows
 *    "saving…", then "saved at hh:mm";
 *  - a request that fails (server unreachable, HTTP 500/502/503/504) is kept, not dropped: the page says so
 *    (not saved / service unavailable, from the X-Baoxue-Reason header), the fields stay as typed and are
 *    marked, and the request is sent again, unchanged, when /healthz answers again (checked with a growing
 *    pause), when the browser comes back online, after any other request succeeds, or at once with the
 *    Retry button. Dash then receives the answer as if the request had been slow;
 *  - a newer request for the same field replaces a kept older one (the older value never overwrites it);
 *  - leaving the page with a kept, pending or typed-but-unsent save asks first (beforeunload).
 * Every word shown comes from the page (data-texts, translated on the server).
 */
(function () {
  'use strict';
  if (!window.fetch || window.bxSaves) { return; }
  var realFetch = window.fetch.bind(window);
  var tracked = [];           // requests on their way or kept: {url, init, key, save, fields, state, reason}
  var dirty = {};             // ids of save fields typed into and not yet sent
  var lastSaved = null;       // "hh:mm" of the last save that went through
  var pause = 2000, timer = null, flushing = false, cfg = null, bar = null, jobsDown = false;

  function settings() {
    if (cfg) { return cfg; }
    var el = document.getElementById('bx-save-config');
    if (!el) { return {texts: {}, outputs: {}, inputs: {}}; }
    var parse = function (name, fallback) {
      try { return JSON.parse(el.getAttribute(name)) || fallback; } catch (e) { return fallback; }
    };
    var set = function (list) { var o = {}; list.forEach(function (k) { o[k] = true; }); return o; };
    cfg = {texts: parse('data-texts', {}), outputs: set(parse('data-outputs', [])), inputs: set(parse('data-inputs', []))};
    return cfg;
  }
  function t(key) { return settings().texts[key] || ''; }

  function isCallback(url, init) {
    return typeof url === 'string' && url.indexOf('_dash-update-component') >= 0 && init && init.method === 'POST';
  }
  function fieldIds(payload) {
    return (payload && payload.changedPropIds || []).map(function (p) { return p.slice(0, p.lastIndexOf('.')); });
  }
  function domId(id) {                     // Dash's DOM id of a pattern id: JSON with sorted keys
    if (id && typeof id === 'object') {
      return '{' + Object.keys(id).sort().map(function (k) { return JSON.stringify(k) + ':' + JSON.stringify(id[k]); }).join(',') + '}';
    }
    return id;
  }
  function outputIds(payload) {
    var outs = payload && payload.outputs;
    outs = Array.isArray(outs) ? outs : outs ? [outs] : [];
    return outs.map(function (o) { return domId(o.id); });
  }
  function sentIds(payload) {              // every field whose value the request carries
    var ids = [];
    var add = function (dep) { if (Array.isArray(dep)) { dep.forEach(add); } else if (dep) { ids.push(domId(dep.id)); } };
    add((payload && payload.inputs) || []);
    add((payload && payload.state) || []);
    return ids;
  }
  function componentKey(id) {
    if (id && id.charAt(0) === '{') { try { return JSON.parse(id).type || id; } catch (e) { return id; } }
    return id;
  }
  function hhmm() { var d = new Date(); return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2); }

  /* --- the page's state ------------------------------------------------------------------------------- */
  function ensureBar() {
    if (bar && document.body.contains(bar)) { return bar; }
    bar = document.createElement('div');
    bar.id = 'bx-save-state';
    bar.setAttribute('role', 'status');
    bar.setAttribute('aria-live', 'polite');
    document.body.appendChild(bar);
    return bar;
  }
  function markFields(req, on) {
    req.fields.forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) { return; }
      if (on) { el.setAttribute('data-bx-unsaved', '1'); el.setAttribute('title', t('field')); }
      else if (el.getAttribute('data-bx-unsaved')) { el.removeAttribute('data-bx-unsaved'); el.removeAttribute('title'); }
    });
    req.outputs.forEach(function (id) {   // an earlier "✓ saved" beside the field no longer holds
      var el = document.getElementById(id);
      if (el && on) { el.setAttribute('data-bx-stale', '1'); } else if (el) { el.removeAttribute('data-bx-stale'); }
    });
  }
  function render() {
    var el = ensureBar();
    var keptSave = tracked.filter(function (r) { return r.save && r.state === 'kept'; });
    var kept = tracked.filter(function (r) { return r.state === 'kept'; });
    var sending = tracked.some(function (r) { return r.save && r.state === 'sending'; });
    document.body.classList.toggle('bx-unsaved', keptSave.length > 0);
    var text, kind;
    if (kept.length) {
      var last = (keptSave.length ? keptSave : kept)[(keptSave.length ? keptSave : kept).length - 1];
      kind = keptSave.length ? 'bx-state-unsaved' : 'bx-state-waiting';
      text = keptSave.length ? t(last.reason === 'database' ? 'unavailable' : last.reason === 'error' ? 'failed' : 'offline')
        : t(last.reason === 'database' ? 'page_unavailable' : 'page_offline');
      el.className = kind;
      el.innerHTML = '';
      var msg = document.createElement('span');
      msg.id = 'bx-save-message';
      msg.textContent = flushing ? t('retrying') : text;
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.id = 'bx-save-retry';
      btn.className = 'btn btn-sm btn-light ms-2';
      btn.textContent = t('retry');
      btn.disabled = flushing;
      btn.addEventListener('click', function () { flush(); });
      el.appendChild(msg);
      el.appendChild(btn);
      return;
    }
    if (sending) { kind = 'bx-state-saving'; text = t('saving'); }
    else if (jobsDown) { kind = 'bx-state-unsaved'; text = t('jobs'); }
    else if (lastSaved) { kind = 'bx-state-saved'; text = t('saved').replace('{time}', lastSaved); }
    else { el.className = 'bx-state-none'; el.textContent = ''; return; }
    el.className = kind;
    el.innerHTML = '';
    var span = document.createElement('span');
    span.id = 'bx-save-message';
    span.textContent = text;
    el.appendChild(span);
  }

  /* --- sending, keeping, sending again ----------------------------------------------------------------- */
  function attempt(req) {
    req.state = 'sending';
    return realFetch(req.url, req.init).then(function (res) {
      if (res.status >= 500) {                // ours carry the reason; a proxy's 502/504: the app is not reachable
        var reason = res.headers.get('X-Baoxue-Reason') ||
          (res.status === 502 || res.status === 504 ? 'offline' : res.status === 503 ? 'database' : 'error');
        return {reason: reason, response: res};
      }
      return {response: res};
    }, function () { return {reason: 'offline'}; });
  }
  function finish(req, response) {
    tracked = tracked.filter(function (r) { return r !== req; });
    markFields(req, false);
    req.resolve(response);
  }
  function settle(req, result) {
    if (!result.reason) {
      // "saved at" only when the server committed a write (X-Baoxue-Saved): a save callback that wrote nothing
      // (refused, or fired by Dash unclicked because its button was drawn) claims nothing
      if (req.save && result.response.ok && result.response.headers.get('X-Baoxue-Saved')) {
        lastSaved = hhmm(); jobsDown = false;
      }
      finish(req, result.response);
      if (tracked.some(function (r) { return r.state === 'kept'; }) && !flushing) { pause = 2000; later(0); }
    } else if (result.reason === 'jobs' || (result.reason === 'error' && !req.save)) {
      finish(req, result.response);      // not kept: Dash gets the failure as before
      jobsDown = result.reason === 'jobs';
    } else {
      req.state = 'kept';
      req.reason = result.reason;
      markFields(req, true);
      if (!flushing) { later(pause); }
    }
    render();
  }
  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(probe, ms);
  }
  function probe() {
    if (!tracked.some(function (r) { return r.state === 'kept'; })) { return; }
    realFetch('/healthz', {cache: 'no-store', credentials: 'same-origin'}).then(function (res) {
      if (res.ok) { flush(); } else { backoff(); }
    }, backoff);
  }
  function backoff() { pause = Math.min(pause * 1.5, 30000); later(pause); }
  function flush() {
    if (flushing) { return; }
    clearTimeout(timer);
    flushing = true;
    render();
    var queue = tracked.filter(function (r) { return r.state === 'kept'; });
    var next = function () {
      var req = queue.shift();
      if (!req) { return done(); }
      if (tracked.indexOf(req) < 0) { return next(); }   // replaced meanwhile
      attempt(req).then(function (result) {
        if (result.reason && result.reason !== 'jobs') {
          req.state = 'kept';
          req.reason = result.reason;
          return done(true);                              // still failing: keep the rest in order
        }
        settle(req, result);
        next();
      });
    };
    var done = function (failed) {
      flushing = false;
      if (failed) { backoff(); } else { pause = 2000; }
      render();
    };
    next();
  }

  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : (input && input.url) || '';
    if (!isCallback(url, init)) { return realFetch(input, init); }
    var payload = null;
    try { payload = JSON.parse(init.body); } catch (e) { payload = null; }
    var req = {url: url, init: init, fields: fieldIds(payload), outputs: outputIds(payload), state: 'sending',
               save: !!(payload && settings().outputs[payload.output]),
               key: payload ? payload.output + '|' + (payload.changedPropIds || []).join(',') : url};
    sentIds(payload).forEach(function (id) { delete dirty[id]; });  // typed values now travel with the request
    tracked.filter(function (r) { return r.key === req.key && r.state === 'kept'; }).forEach(function (old) {
      finish(old, new Response(null, {status: 204}));  // the newer value replaces the kept one
    });
    var promise = new Promise(function (resolve) { req.resolve = resolve; });
    tracked.push(req);
    render();
    attempt(req).then(function (result) { settle(req, result); });
    return promise;
  };

  document.addEventListener('input', function (e) {
    var id = e.target && e.target.id;
    if (id && settings().inputs[componentKey(id)]) { dirty[id] = true; }
  }, true);
  window.addEventListener('online', function () { later(0); });
  window.addEventListener('beforeunload', function (e) {
    var pending = tracked.some(function (r) { return r.save; }) || Object.keys(dirty).length > 0;
    if (!pending) { return undefined; }
    e.preventDefault();
    e.returnValue = t('leave');
    return t('leave');
  });
  window.bxSaves = {tracked: function () { return tracked.slice(); }, flush: flush};
})();
