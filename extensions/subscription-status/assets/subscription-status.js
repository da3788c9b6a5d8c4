/*
 * edrone subscription status, for the storefront (loaded deferred by the app
 * embed; never blocks the page). window.edroneSubscription.check() answers
 * { identified, status, message, sms_status } for the visitor: the logged-in
 * customer, or the owner of edrone's fp_ccid cookie. Any failure, a 429 or no
 * answer within the timeout counts as "unknown", so the store shows its form.
 * Real answers are kept in sessionStorage for the tab's session.
 * Elements marked data-edrone-when="subscribed|unsubscribed|unknown" are then
 * shown only for the visitor state the merchant chose in the embed's settings.
 */
(function () {
  'use strict';
  var config = window.edroneSubscriptionConfig || {};
  var UNKNOWN = { identified: false, status: null, message: 'unknown', sms_status: null };
  var timeoutMs = Number(config.timeoutMs) > 0 ? Number(config.timeoutMs) : 3000;
  var endpoint = typeof config.endpoint === 'string' ? config.endpoint : '/apps/edrone/subscription-status';
  var pending = null;

  function getCookie(name) {
    var match = document.cookie.match('(^|;) ?' + name + '=([^;]*)(;|$)');
    return match ? decodeURIComponent(match[2]) : null;
  }

  function cacheKey(fpcid) {
    return 'edrone_subscription_status:' + (config.customer || 'anonymous') + ':' + (fpcid || '');
  }

  function readCache(key) {
    try {
      var raw = window.sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function writeCache(key, answer) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(answer));
    } catch (e) {
      /* Private mode or full storage: the check simply runs again next page. */
    }
  }

  function isAnswer(a) {
    return a && typeof a.identified === 'boolean' && (a.status === true || a.status === false || a.status === null);
  }

  /** The state the page acts on: subscribed, unsubscribed or unknown (email). */
  function stateOf(answer) {
    if (answer.status === true) return 'subscribed';
    if (answer.status === false) return 'unsubscribed';
    return 'unknown';
  }

  function request(fpcid, force) {
    var url = endpoint + (endpoint.indexOf('?') < 0 ? '?' : '&');
    var params = [];
    if (fpcid) params.push('fpcid=' + encodeURIComponent(fpcid));
    if (force) params.push('force=true');
    url += params.join('&');
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer;
    var timeout = new Promise(function (resolve) {
      timer = setTimeout(function () {
        if (controller) controller.abort();
        resolve(null);
      }, timeoutMs);
    });
    var fetched = fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: controller ? controller.signal : undefined })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .catch(function () {
        return null;
      });
    return Promise.race([fetched, timeout]).then(function (answer) {
      clearTimeout(timer);
      return isAnswer(answer) ? answer : null;
    });
  }

  /** The visitor's answer; never rejects. options.force skips the session cache. */
  function check(options) {
    var force = Boolean(options && options.force);
    if (!force && config.known === 'subscribed') {
      return Promise.resolve({ identified: true, status: true, message: 'Success', sms_status: null });
    }
    var fpcid = getCookie('fp_ccid');
    var key = cacheKey(fpcid);
    if (!force) {
      var cached = readCache(key);
      if (isAnswer(cached)) return Promise.resolve(cached);
      if (pending) return pending;
    }
    var job = request(fpcid, force)
      .then(function (answer) {
        if (!answer) return UNKNOWN;
        writeCache(key, answer);
        return answer;
      })
      .catch(function () {
        return UNKNOWN;
      });
    if (!force) pending = job;
    return job;
  }

  /** Shows the marked elements of the group the merchant chose for this state; the others stay hidden. */
  function apply(state) {
    var shows = (config.show && config.show[state]) || state;
    document.documentElement.setAttribute('data-edrone-subscription', state);
    var marked = document.querySelectorAll('[data-edrone-when]');
    for (var i = 0; i < marked.length; i++) {
      var groups = (marked[i].getAttribute('data-edrone-when') || '').split(/[\s|,]+/);
      if (groups.indexOf(shows) >= 0) marked[i].setAttribute('data-edrone-visible', '');
      else marked[i].removeAttribute('data-edrone-visible');
    }
    try {
      document.dispatchEvent(new CustomEvent('edrone:subscription', { detail: { state: state } }));
    } catch (e) {
      /* Very old browsers: the attributes are enough. */
    }
  }

  function run(options) {
    return check(options).then(function (answer) {
      var state = stateOf(answer);
      apply(state);
      api.state = state;
      return answer;
    });
  }

  var api = { check: check, refresh: run, state: null };
  window.edroneSubscription = api;
  run();
})();
