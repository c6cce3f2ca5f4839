// The Pulse dashboard page: renders the overview the server pushes as server-sent events, draws the
// lag chart as plain SVG, and sends the guarded actions after the operator confirmed them.
'use strict';

(function () {
  const COLORS = ['#0039a6', '#8a1010', '#0a5c1f', '#6b4500', '#5b2a86', '#005f6b', '#111111'];
  const DASHES = ['', '6 3', '2 3', '10 4 2 4'];
  let deferred = null;
  let openMap = null;
  const shown = {};

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined) return;
      if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.substring(2), v);
      else node.setAttribute(k, v);
    });
    children.flat().forEach((c) => {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    });
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  // Durations as the command line writes them: 42s, 3m07s, 25m, 1h05m, 2d03h.
  function duration(ms) {
    if (ms === null || ms === undefined) return '-';
    const s = Math.max(0, Math.floor(ms / 1000));
    const pad = (n) => String(n).padStart(2, '0');
    if (s < 60) return s + 's';
    if (s < 600) return Math.floor(s / 60) + 'm' + pad(s % 60) + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm';
    const h = Math.floor(m / 60);
    if (h < 24) return h + 'h' + pad(m % 60) + 'm';
    return Math.floor(h / 24) + 'd' + pad(h % 24) + 'h';
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : (word.endsWith('ch') ? 'es' : 's'));
  }

  function announce(message) {
    document.getElementById('status').textContent = message;
  }

  function table(caption, headers, rows) {
    return el('table', {},
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) =>
        c instanceof Node ? el('td', {}, c) : el('td', { class: typeof c === 'number' ? 'num' : null, text: c === null ? '-' : c }))))));
  }

  function actionButton(label, description, focusKey, path, body) {
    return el('button', {
      type: 'button', 'aria-label': description, 'data-focus-key': focusKey,
      onclick: () => confirmThen(description + '?', path, body),
    }, label);
  }

  // ---- actions

  function confirmThen(question, path, body) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-text').textContent = question;
    const ok = document.getElementById('confirm-ok');
    const cancel = document.getElementById('confirm-cancel');
    const done = () => {
      ok.onclick = null;
      cancel.onclick = null;
      dialog.close();
      if (deferred) render(deferred);
    };
    cancel.onclick = done;
    ok.onclick = () => { done(); send(path, body); };
    dialog.showModal();
    cancel.focus();
  }

  async function send(path, body) {
    announce('Sending…');
    try {
      const response = await fetch('api/actions/' + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Pulse-Confirm': 'yes' },
        body: JSON.stringify(body),
      });
      const result = await response.json();
      announce((result.applied ? 'Done: ' : 'Refused: ') + result.message);
      if (openMap && body.map === openMap) showMap(openMap);
    } catch (e) {
      announce('The action could not be sent: ' + e.message);
    }
  }

  // ---- pools: one column per worker with its jobs

  function renderPool(p) {
    const section = el('section', { class: 'pool', 'aria-labelledby': 'pool-' + p.name, 'data-pool': p.name });
    const alive = p.workers.filter((w) => w.state === 'alive').length;
    section.append(
      el('h3', { id: 'pool-' + p.name, text: 'Pool ' + p.name + (p.shuttingDown ? ' (shutting down)' : '') }),
      el('p', { class: 'summary', text: p.nodes.filter((n) => n.alive).length + ' of ' + plural(p.nodes.length, 'node')
        + ' alive · ' + alive + ' of ' + plural(p.workers.length, 'worker') + ' alive · ' + plural(p.jobCount, 'job')
        + ' · ' + plural(p.pendingDispatches.length, 'dispatch') + ' in flight · backlog ' + (p.backlog.undelivered
        + p.backlog.unacknowledged) }));

    const columns = el('ul', { class: 'workers', 'aria-label': 'Workers of pool ' + p.name });
    const jobsOf = (worker) => p.jobs.filter((j) => j.worker === worker);
    const column = (title, info, jobs, id) => el('li', { class: 'worker', 'data-worker': id || '' },
      el('h4', { text: title }), info,
      jobs.length === 0 ? el('p', { text: 'No jobs' }) : el('ul', { class: 'jobs', 'aria-label': 'Jobs of ' + title },
        jobs.map((j) => el('li', { 'data-job': j.key },
          el('span', {}, j.key, el('span', { class: 'hint', text: ' ' + (j.payloadBytes < 0 ? 'no payload' : j.payloadBytes + ' B') })),
          actionButton('Stop', 'Stop job ' + j.key + ' of pool ' + p.name, 'stop|' + p.name + '|' + j.key,
            'stop-job', { pool: p.name, key: j.key })))));
    p.workers.forEach((w) => columns.append(column('Worker ' + w.id,
      el('p', {}, el('span', { class: 'badge ' + w.state, text: w.state }), ' · node ' + (w.node || 'unknown')
        + ' · keep-alive ' + duration(w.keepAliveAge)), jobsOf(w.id), w.id)));
    const unowned = jobsOf(null);
    if (unowned.length > 0) columns.append(column('Unowned payloads', el('p', { text: 'requeued after a grace period' }), unowned));
    section.append(p.workers.length === 0 && unowned.length === 0 ? el('p', { text: 'No workers.' }) : columns);

    section.append(table('Nodes of ' + p.name, ['Node', 'Keep-alive', 'State', 'Stream', 'Action'], p.nodes.map((n) => [
      n.id, duration(n.keepAliveAge), n.alive ? 'alive' : 'dead', n.streamExists ? 'yes' : 'no',
      n.alive ? '-' : actionButton('Delete leftovers', 'Delete the stream and keep-alive of dead node ' + n.id
        + ' of pool ' + p.name, 'node|' + p.name + '|' + n.id, 'delete-node', { pool: p.name, node: n.id })])));

    const b = p.backlog;
    section.append(el('p', { text: 'Pool stream ' + b.stream + ': ' + plural(b.length, 'event') + ', ' + b.undelivered
      + (b.undeliveredAtLeast ? '+' : '') + ' undelivered, ' + b.unacknowledged + ' unacknowledged'
      + (b.oldestUnacknowledgedAge === null ? '' : ' (oldest ' + duration(b.oldestUnacknowledgedAge) + ')') }));
    if (b.oldestPending.length > 0) {
      section.append(table('Oldest unacknowledged events of ' + p.name, ['Event', 'Kind', 'Job', 'Consumer', 'Deliveries', 'Age', 'Action'],
        b.oldestPending.map((e) => [e.id, e.kind, e.key, e.consumer, e.deliveries, duration(e.age),
          actionButton('Requeue', 'Requeue event ' + e.id + ' of pool ' + p.name, 'requeue|' + p.name + '|' + e.id,
            'requeue', { pool: p.name, eventId: e.id, minIdleMs: 60000 })])));
    }
    if (p.pendingDispatches.length > 0) {
      section.append(table('Dispatches in flight', ['Job', 'State'], p.pendingDispatches.map((d) => [d.key, d.expired ? 'expired' : 'in flight'])));
    }
    if (p.tickers.length > 0) {
      section.append(table('Tickers and schedules', ['Ticker', 'Interval', 'Schedule'], p.tickers.map((t) => [t.name, t.interval, t.schedule ? 'yes' : 'no'])));
    }
    return section;
  }

  // ---- chart: one polyline per series, newest on the right

  function renderChart(o) {
    const box = document.getElementById('chart');
    const names = Object.keys(o.history);
    if (names.length === 0) {
      box.replaceChildren(el('p', { text: 'No sinks or pools to chart yet.' }));
      return;
    }
    const W = 720; const H = 240; const L = 48; const B = 24; const T = 10; const R = 10;
    const end = Date.parse(o.at);
    let start = end;
    let max = 1;
    names.forEach((n) => o.history[n].forEach(([t, v]) => { start = Math.min(start, t); max = Math.max(max, v); }));
    if (end - start < 60000) start = end - 60000;
    const x = (t) => L + ((t - start) / (end - start)) * (W - L - R);
    const y = (v) => H - B - (v / max) * (H - B - T);
    const chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': 'Lag and backlog over the last ' + duration(end - start) + '; latest values are listed below the chart' });
    chart.append(svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#767676' }),
      svg('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#767676' }));
    const label = (text, attrs) => { const t = svg('text', Object.assign({ 'font-size': 12, fill: '#111' }, attrs)); t.textContent = text; return t; };
    chart.append(label(String(max), { x: L - 6, y: T + 10, 'text-anchor': 'end' }), label('0', { x: L - 6, y: H - B, 'text-anchor': 'end' }),
      label(duration(end - start) + ' ago', { x: L, y: H - 6 }), label('now', { x: W - R, y: H - 6, 'text-anchor': 'end' }));
    const legend = el('ul', { class: 'legend' });
    names.forEach((name, i) => {
      const samples = o.history[name];
      const color = COLORS[i % COLORS.length];
      const last = samples.length ? samples[samples.length - 1][1] : 0;
      chart.append(svg('polyline', { fill: 'none', stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': DASHES[i % DASHES.length],
        points: samples.map(([t, v]) => x(t).toFixed(1) + ',' + y(v).toFixed(1)).join(' '),
        'data-series': name, 'data-last': last, 'data-points': samples.length }));
      legend.append(el('li', { 'data-series': name }, el('span', { class: 'swatch', style: null, 'aria-hidden': 'true', 'data-color': color }),
        name + ': ' + last));
    });
    box.replaceChildren(chart, legend);
    legend.querySelectorAll('.swatch').forEach((s) => { s.style.background = s.getAttribute('data-color'); });
  }

  // ---- streams and maps

  function renderStreams(streams) {
    const rows = [];
    streams.forEach((s) => {
      if (s.sinks.length === 0) rows.push([s.name, s.length, '(no sinks)', '-', '-', '-', '-']);
      s.sinks.forEach((k) => rows.push([s.name, s.length, k.name, (k.lagAtLeast ? k.lag + '+' : k.lag), k.unacknowledged,
        duration(k.oldestUnacknowledgedAge), k.consumers.map((c) => c.name + ' (keep-alive ' + duration(c.keepAliveAge) + ')').join(', ') || '-']));
    });
    document.getElementById('streams-body').replaceChildren(rows.length === 0 ? el('p', { text: 'No streams.' })
      : table('Streams and their sinks', ['Stream', 'Events', 'Sink', 'Lag', 'Unacked', 'Oldest unacked', 'Consumers'], rows));
  }

  function renderMaps(maps) {
    document.getElementById('maps-body').replaceChildren(maps.length === 0 ? el('p', { text: 'No maps.' })
      : table('Replicated maps', ['Map', 'Keys', 'Revision', 'Last change', 'TTL', 'View'], maps.map((m) => [m.name, m.size,
        m.revision, m.lastKind, m.ttl === null ? 'none' : duration(m.ttl),
        el('button', { type: 'button', 'aria-label': 'Show the keys of map ' + m.name, 'data-focus-key': 'map|' + m.name,
          onclick: () => showMap(m.name) }, 'Keys')])));
  }

  async function showMap(name) {
    openMap = name;
    const view = document.getElementById('map-view');
    const response = await fetch('api/map?limit=200&name=' + encodeURIComponent(name));
    if (!response.ok) { view.replaceChildren(el('p', { text: 'Map ' + name + ' is gone.' })); return; }
    const m = await response.json();
    const key = el('input', { id: 'set-key', name: 'key', required: 'required' });
    const value = el('input', { id: 'set-value', name: 'value' });
    const form = el('form', { class: 'set-key', 'aria-label': 'Set a key of map ' + name,
      onsubmit: (e) => { e.preventDefault(); confirmThen('Set ' + key.value + ' to "' + value.value + '" in map ' + name + '?',
        'map-set', { map: name, key: key.value, value: value.value }); } },
    el('label', { for: 'set-key' }, 'Key', key), el('label', { for: 'set-value' }, 'Value', value),
    el('button', { type: 'submit' }, 'Set key'));
    view.replaceChildren(el('h3', { id: 'map-view-title', text: 'Keys of map ' + name, tabindex: '-1' }),
      m.entries.length === 0 ? el('p', { text: 'No keys.' }) : table('Keys of ' + name + (m.complete ? '' : ' (first ' + m.entries.length + ')'),
        ['Key', 'Value', 'Action'], m.entries.map((e) => [e.key, e.value,
          actionButton('Delete', 'Delete key ' + e.key + ' of map ' + name, 'mapdel|' + name + '|' + e.key,
            'map-delete', { map: name, key: e.key })])), form);
  }

  // ---- the whole page, keeping the keyboard focus across updates

  // Redraws only the parts whose data changed, and nothing while the confirmation dialog is open,
  // so a button is not replaced under the operator's hand.
  function part(name, data, draw) {
    const key = JSON.stringify(data);
    if (shown[name] !== key) {
      shown[name] = key;
      draw(data);
    }
  }

  function render(o) {
    if (document.getElementById('confirm').open) {
      deferred = o;
      return;
    }
    deferred = null;
    const focused = document.activeElement && document.activeElement.getAttribute('data-focus-key');
    document.getElementById('updated').textContent = 'Updated ' + new Date(o.at).toLocaleTimeString()
      + ' · workers and nodes silent longer than ' + duration(o.workerTtlMs) + ' are dead'
      + (o.complete ? '' : ' · keyspace only partly scanned') + (o.error ? ' · last reading failed: ' + o.error : '');
    part('pools', o.pools, (pools) => document.getElementById('pools-body').replaceChildren(
      ...(pools.length === 0 ? [el('p', { text: 'No pools.' })] : pools.map(renderPool))));
    part('chart', { at: o.at, history: o.history }, renderChart);
    part('streams', o.streams, renderStreams);
    part('maps', o.maps, renderMaps);
    if (focused && document.activeElement.getAttribute('data-focus-key') !== focused) {
      const again = Array.from(document.querySelectorAll('[data-focus-key]')).find((n) => n.getAttribute('data-focus-key') === focused);
      if (again) again.focus();
    }
  }

  function connect() {
    const events = new EventSource('api/events');
    events.addEventListener('overview', (e) => render(JSON.parse(e.data)));
    events.onerror = () => { document.getElementById('updated').textContent = 'Connection lost; reconnecting…'; };
  }

  window.addEventListener('DOMContentLoaded', connect);
}());
