/* The web chat: plain JavaScript, no framework, nothing from another origin, nothing stored in the browser
   (the session is an HttpOnly cookie the script never sees). Messages arrive as Server-Sent Events; the browser
   resumes after the last event id it saw, and the page ignores an id it has already shown. */
(function () {
  'use strict';

  var state = { csrf: '', lang: 'de', chrome: {}, last: 0, started: false, source: null, ended: false };
  var START = /^[A-Za-z0-9_-]{1,64}$/;

  function $(id) { return document.getElementById(id); }

  function words() { return state.chrome[state.lang] || state.chrome.de || {}; }

  function setText(el, text) { if (el) { el.textContent = text || ''; } }

  /* The bot isolates every left-to-right run inside right-to-left text (FSI … PDI, bot.core.bidi), but a line
     break inside a run still tears it apart: "(Kita-" on one line and "Sozialarbeit)" on the next, the bracket on
     the wrong side. Each short run becomes a <bdi> that does not wrap; the marks stay in it, so the text is the
     same to a screen reader and to copy and paste. */
  var RUN = /\u2068[^\u2068\u2069]{1,40}\u2069/g;
  function setRuns(el, text) {
    if (!el) { return; }
    text = text || '';
    el.textContent = '';
    var at = 0;
    var found;
    RUN.lastIndex = 0;
    while ((found = RUN.exec(text)) !== null) {
      if (found.index > at) { el.appendChild(document.createTextNode(text.slice(at, found.index))); }
      var run = document.createElement('bdi');
      run.className = 'run';
      run.textContent = found[0];
      el.appendChild(run);
      at = found.index + found[0].length;
    }
    if (at < text.length) { el.appendChild(document.createTextNode(text.slice(at))); }
  }

  function applyWords() {
    var w = words();
    var root = document.documentElement;
    root.lang = w.lang || 'de';
    root.dir = w.dir || 'ltr';
    document.title = w.title || 'Elternlotse';
    setRuns($('title'), w.title);
    $('log').setAttribute('aria-label', w.conversation || '');
    setText($('more'), w.more);
    setText($('text-label'), w.input);
    setText($('send'), w.send);
    setText($('end'), w.end);
    setText($('confirm-text'), w.confirm);
    setText($('yes'), w.yes);
    setText($('no'), w.no);
    setText($('ended-text'), w.deleted);
    setText($('again'), w.again);
    var commands = document.querySelectorAll('[data-command]');
    for (var i = 0; i < commands.length; i++) {
      var name = commands[i].getAttribute('data-command');
      setText(commands[i], (name === 'emergency' ? '🆘 ' : '') + (w[name] || ''));
      commands[i].hidden = state.ended;
    }
    $('menu').hidden = state.ended;
    $('end').hidden = state.ended;
    var mine = document.querySelectorAll('.own .sr-only');
    for (var j = 0; j < mine.length; j++) { setText(mine[j], w.you + ' '); }
  }

  function status(text) { setText($('status'), text); }

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var out = '';
    for (var i = 0; i < bytes.length; i++) { out += ('0' + bytes[i].toString(16)).slice(-2); }
    return out;
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; });
    });
  }

  /* A message keeps its id through retries, so the bot handles it once even if an answer got lost. */
  function send(body, tries) {
    if (!body.id) { body.id = randomId(); }
    tries = tries || 0;
    return post('api/send', body).then(function (result) {
      if (result.status === 200 && result.data.ended) {
        ended();
      } else if (result.status === 200) {
        status(result.data.notice || '');
      } else if (result.status === 401 || result.status === 403) {
        window.location.reload();
      } else {
        status(words().wait);
      }
      return result.status === 200;
    }, function () {
      if (tries < 4) {
        status(words().offline);
        return new Promise(function (resolve) { setTimeout(resolve, 1500 * (tries + 1)); })
          .then(function () { return send(body, tries + 1); });
      }
      status(words().wait);
      return false;
    });
  }

  function own(text) {
    var item = document.createElement('li');
    item.className = 'own';
    var who = document.createElement('span');
    who.className = 'sr-only';
    who.textContent = (words().you || '') + ' ';
    var p = document.createElement('p');
    p.textContent = text;
    p.setAttribute('dir', 'auto');
    item.appendChild(who);
    item.appendChild(p);
    $('log').appendChild(item);
    item.scrollIntoView({ block: 'end' });
  }

  function fill(item, msg, id) {
    item.textContent = '';
    item.className = 'bot';
    item.setAttribute('data-id', String(id));
    item.setAttribute('dir', msg.dir === 'rtl' ? 'rtl' : 'ltr');
    var chrome = msg.lang ? state.chrome[msg.lang] : null;
    if (chrome) { item.setAttribute('lang', chrome.lang); } else { item.removeAttribute('lang'); }
    var p = document.createElement('p');
    setRuns(p, msg.text);
    item.appendChild(p);
    var rows = msg.buttons || [];
    if (!rows.length) { return; }
    var group = document.createElement('div');
    group.className = 'choices';
    group.setAttribute('role', 'group');
    for (var r = 0; r < rows.length; r++) {
      for (var b = 0; b < rows[r].length; b++) { group.appendChild(choice(rows[r][b], id)); }
    }
    item.appendChild(group);
  }

  function choice(button, id) {
    var el = document.createElement('button');
    el.type = 'button';
    el.textContent = button.label;
    if (button.lang) { el.setAttribute('lang', button.lang); }
    if (button.dir) { el.setAttribute('dir', button.dir); }
    el.addEventListener('click', function () {
      own(button.label);
      send({ press: button.data, message: id });
    });
    return el;
  }

  function show(msg, id) {
    if (msg.lang && msg.lang !== state.lang && state.chrome[msg.lang]) {
      state.lang = msg.lang;
      applyWords();
    }
    var target = msg.remove || msg.replace;
    var existing = target ? document.querySelector('#log li[data-id="' + Number(target) + '"]') : null;
    if (msg.remove) {
      if (existing) { existing.parentNode.removeChild(existing); }
      return;
    }
    if (existing) {
      fill(existing, msg, target);
      return;
    }
    var item = document.createElement('li');
    fill(item, msg, id);
    $('log').appendChild(item);
    item.scrollIntoView({ block: 'end' });
  }

  function connect() {
    if (state.source) { state.source.close(); }
    var source = new EventSource(state.last ? 'api/events?after=' + state.last : 'api/events');
    state.source = source;
    source.onmessage = function (event) {
      var id = Number(event.lastEventId);
      if (!id || id <= state.last) { return; }
      state.last = id;
      show(JSON.parse(event.data), id);
    };
    source.addEventListener('ready', function (event) {
      status('');
      var info = JSON.parse(event.data);
      if (info.empty && !state.started) {
        state.started = true;
        begin();
      }
    });
    source.onerror = function () {
      if (state.ended) { return; }
      status(words().offline);
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 3000); }
    };
  }

  function begin() {
    var match = /[?&]start=([^&#]*)/.exec(window.location.search);
    var payload = match && START.test(match[1]) ? match[1] : null;
    post('api/start', { start: payload }).then(function (result) {
      if (result.status !== 200) { status(words().wait); }
    }, function () { status(words().offline); });
  }

  function end() {
    $('confirm').hidden = false;
    $('no').focus();
  }

  function confirmed() {
    post('api/end', {}).then(function (result) {
      if (result.status !== 200) {
        status(words().wait);
        return;
      }
      ended();
    }, function () { status(words().offline); });
  }

  /* Everything of the family was erased (the end button, or "yes, delete everything" in the conversation). */
  function ended() {
    state.ended = true;
    if (state.source) { state.source.close(); }
    $('log').textContent = '';
    $('confirm').hidden = true;
    $('compose').hidden = true;
    $('ended').hidden = false;
    status('');
    applyWords();
    $('again').focus();
  }

  function wire() {
    $('compose').addEventListener('submit', function (event) {
      event.preventDefault();
      var field = $('text');
      var text = field.value;
      if (!text.trim()) { return; }
      field.value = '';
      own(text);
      send({ text: text });
      field.focus();
    });
    $('text').addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $('send').click();
      }
    });
    var commands = document.querySelectorAll('[data-command]');
    for (var i = 0; i < commands.length; i++) {
      commands[i].addEventListener('click', function () {
        $('menu').removeAttribute('open');
        own(this.textContent);
        send({ text: '/' + this.getAttribute('data-command') });
      });
    }
    $('end').addEventListener('click', end);
    $('no').addEventListener('click', function () { $('confirm').hidden = true; $('end').focus(); });
    $('yes').addEventListener('click', confirmed);
    $('again').addEventListener('click', function () { window.location.href = window.location.pathname; });
  }

  function open() {
    fetch('api/session', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(function (session) {
        state.csrf = session.csrf;
        state.chrome = session.chrome;
        state.lang = session.lang;
        applyWords();
        $('compose').hidden = false;
        connect();
      }, function () {
        status('…');
        setTimeout(open, 3000);
      });
  }

  wire();
  open();
}());
