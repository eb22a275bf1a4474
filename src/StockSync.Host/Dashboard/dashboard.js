// StockSync operations dashboard: reads the ops API of this host (same origin) every few seconds and draws it.
// Plain JavaScript, no framework and nothing from elsewhere; every value is written as text, never as HTML.
'use strict';

(() => {
  const REFRESH_SECONDS = 5;
  const TOKEN_KEY = 'stocksync.operatorToken';
  const SVG = 'http://www.w3.org/2000/svg';

  // How a state reads at a glance: finished well, in progress, needs a look, failed, closed without completing.
  const STATE_KINDS = {
    Completed: 'done', Collected: 'done', HandedOver: 'done', Inspected: 'done',
    Cancelled: 'closed', Released: 'closed',
    Rejected: 'failed', Invalid: 'failed', AcknowledgementRefused: 'failed',
    AcknowledgementOverdue: 'attention', InspectionOverdue: 'attention', Backordered: 'attention',
  };
  const SAGA_NAMES = {
    click_and_collect_sagas: 'Click and collect',
    order_fulfillment_sagas: 'Order fulfillment',
    return_inspection_sagas: 'Return inspection',
    marketplace_order_sagas: 'Marketplace orders',
  };

  class AuthRequired extends Error {}

  let refreshes = 0;
  let timer = null;

  // --- small DOM helpers -------------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function table(headers, rows) {
    return el('table', null,
      el('thead', null, el('tr', null, headers.map(h => el('th', h.num ? { class: 'num' } : null, h.label)))),
      el('tbody', null, rows));
  }

  function fill(id, ...content) {
    const body = document.getElementById(id);
    body.replaceChildren(...content.flat());
  }

  const number = n => new Intl.NumberFormat('en').format(n);
  const kindOf = state => STATE_KINDS[state] || 'active';
  const sagaName = saga => SAGA_NAMES[saga] || saga;

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  }

  function time(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }

  // For table cells: the date and time without seconds' fraction or zone (the headers say UTC).
  function shortTime(iso) {
    return time(iso).replace(' UTC', '');
  }

  function millis(ms) {
    return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
  }

  // --- the API -----------------------------------------------------------------------------------------------------

  async function getJson(path, { notFound } = {}) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { headers, credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401 || response.status === 403) throw new AuthRequired(`${path}: HTTP ${response.status}`);
    if (response.status === 404 && notFound !== undefined) return notFound;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // --- the sections ------------------------------------------------------------------------------------------------

  function renderSagas(rows) {
    if (rows.length === 0) return fill('sagas-body', el('p', { class: 'empty' }, 'No saga instances yet.'));
    const bySaga = new Map();
    for (const row of rows) {
      if (!bySaga.has(row.saga)) bySaga.set(row.saga, []);
      bySaga.get(row.saga).push(row);
    }
    fill('sagas-body', [...bySaga].map(([saga, states]) => {
      const total = states.reduce((sum, s) => sum + s.instances, 0);
      const ordered = [...states].sort((a, b) => b.instances - a.instances || a.currentState.localeCompare(b.currentState));
      return el('div', { class: 'saga', 'data-saga': saga },
        el('div', { class: 'saga-name' }, sagaName(saga), el('span', { class: 'muted' }, `${number(total)} instances`)),
        el('div', { class: 'bar' }, ordered.map(s =>
          el('span', { class: `state-${kindOf(s.currentState)}`, title: `${s.currentState}: ${s.instances}`, 'data-share': (s.instances / total).toFixed(4) }))),
        el('div', null, ordered.map(s =>
          el('span', { class: `state state-${kindOf(s.currentState)}`, 'data-state': s.currentState, title: `last change ${time(s.newestChangeAt)}` },
            s.currentState, el('b', null, number(s.instances))))));
    }));
    // Widths come from the CSSOM, which the Content-Security-Policy allows (style attributes it does not).
    for (const span of document.querySelectorAll('#sagas-body .bar span')) span.style.width = `${Number(span.dataset.share) * 100}%`;
  }

  function renderStuck(rows) {
    if (rows.length === 0) return fill('stuck-body', el('p', { class: 'empty' }, 'Nothing is stuck: every instance changed within its threshold.'));
    fill('stuck-body', table(
      [{ label: 'Instance' }, { label: 'State' }, { label: 'In state', num: true }, { label: 'Threshold', num: true }],
      rows.map(r => el('tr', { 'data-correlation-id': r.correlationId, title: `last change ${time(r.updatedAt)}` },
        el('td', null, el('div', { class: 'mono' }, r.correlationId), el('div', { class: 'sub' }, sagaName(r.saga))),
        el('td', null, el('span', { class: 'state state-attention' }, r.currentState)),
        el('td', { class: 'num' }, duration(r.secondsInState)),
        el('td', { class: 'num' }, duration(r.stuckAfterSeconds))))));
  }

  function renderDeadLetters(groups) {
    const open = groups.reduce((sum, g) => sum + g.deadLetters, 0);
    const failures = groups.reduce((sum, g) => sum + g.failures, 0);
    const figures = el('div', { class: 'figures' },
      el('div', { class: `figure ${open > 0 ? 'bad' : 'good'}` }, el('div', { class: 'value', id: 'dead-letters-open' }, number(open)), el('div', { class: 'label' }, 'open dead letters')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, number(failures)), el('div', { class: 'label' }, 'failures in all')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, number(groups.length)), el('div', { class: 'label' }, 'groups')));
    if (groups.length === 0) return fill('dead-letters-body', figures, el('p', { class: 'empty' }, 'No open dead letters.'));
    fill('dead-letters-body', figures, table(
      [{ label: 'Queue and reason' }, { label: 'Letters', num: true }, { label: 'Failures', num: true }, { label: 'Last failure (UTC)' }],
      groups.map(g => el('tr', { 'data-queue': g.sourceQueue },
        el('td', { class: 'wrap' },
          el('div', null, el('span', { class: 'mono' }, g.sourceQueue), ' · ', el('b', { title: g.exceptionType || '' }, (g.exceptionType || '(no exception)').split('.').pop())),
          el('div', { class: 'sub' }, g.exceptionMessage || '')),
        el('td', { class: 'num' }, number(g.deadLetters)),
        el('td', { class: 'num' }, number(g.failures)),
        el('td', { class: 'nowrap' }, shortTime(g.lastFailedAt))))));
  }

  function renderDivergence(report) {
    if (report === null) {
      return fill('divergence-body', el('p', { class: 'empty', id: 'no-snapshot' }, 'No snapshot yet: no complete ERP snapshot has been stored.'));
    }
    const figures = el('div', { class: 'figures' },
      el('div', { class: `figure ${report.mismatches > 0 ? 'bad' : 'good'}` }, el('div', { class: 'value', id: 'divergence-mismatches' }, number(report.mismatches)), el('div', { class: 'label' }, 'mismatches')),
      el('div', { class: 'figure' }, el('div', { class: 'value', id: 'divergence-units' }, number(report.unitsOff ?? 0)), el('div', { class: 'label' }, 'units off')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, number(report.keysCompared)), el('div', { class: 'label' }, 'SKU × location compared')));
    const about = el('p', { class: 'muted' }, `Snapshot ${report.snapshotId} (${report.source}) as of ${time(report.takenAt)}`, report.complete ? '' : ' — incomplete');
    if (report.largest.length === 0) return fill('divergence-body', figures, about, el('p', { class: 'empty' }, 'The ledger agrees with the snapshot.'));
    fill('divergence-body', figures, about, el('h3', null, 'Largest deltas'), table(
      [{ label: 'SKU' }, { label: 'Location' }, { label: 'ERP', num: true }, { label: 'StockSync', num: true }, { label: 'Delta', num: true }],
      report.largest.map(m => el('tr', { 'data-sku': m.sku },
        el('td', { class: 'mono' }, m.sku),
        el('td', { class: 'mono' }, m.locationId),
        el('td', { class: 'num' }, number(m.snapshotOnHand)),
        el('td', { class: 'num' }, number(m.stockSyncOnHand)),
        el('td', { class: `num ${m.delta < 0 ? 'delta-neg' : 'delta-pos'}` }, (m.delta > 0 ? '+' : '') + number(m.delta))))));
  }

  function renderLatency(latency) {
    const points = latency.points;
    const sales = points.reduce((sum, p) => sum + p.count, 0);
    const last = points[points.length - 1];
    const figures = el('div', { class: 'figures' },
      el('div', { class: 'figure' }, el('div', { class: 'value', id: 'latency-sales' }, number(sales)), el('div', { class: 'label' }, 'sales applied')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, last ? millis(last.p50Ms) : '–'), el('div', { class: 'label' }, 'p50, latest minute')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, last ? millis(last.p99Ms) : '–'), el('div', { class: 'label' }, 'p99, latest minute')),
      el('div', { class: 'figure' }, el('div', { class: 'value' }, points.length ? millis(Math.max(...points.map(p => p.maxMs))) : '–'), el('div', { class: 'label' }, 'slowest')));
    fill('latency-body', figures, chart(latency),
      el('div', { class: 'legend' },
        el('span', null, el('i', { class: 'key-p50' }), 'p50 per minute'),
        el('span', null, el('i', { class: 'key-p99' }), 'p99 per minute'),
        el('span', null, el('i', { class: 'key-sales' }), 'sales per minute'),
        el('span', null, 'Sale occurred at its source → availability decided (ledger commit); ', latency.truncated ? 'newest 20,000 sales only' : 'every sale in the window')));
  }

  function chart(latency) {
    const width = 1180, height = 190, left = 64, right = 16, top = 12, bottom = 28;
    const from = Date.parse(latency.from), to = Date.parse(latency.to);
    const points = latency.points.map(p => ({ t: Date.parse(p.minute) + 30000, p50: p.p50Ms, p99: p.p99Ms, count: p.count }));
    const top99 = Math.max(1, ...points.map(p => p.p99));
    const step = niceStep(top99 / 4);
    const yMax = Math.ceil(top99 / step) * step;
    const x = t => left + ((t - from) / Math.max(1, to - from)) * (width - left - right);
    const y = v => top + (1 - v / yMax) * (height - top - bottom);
    const root = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Latency per minute, p50 and p99', 'data-points': points.length });

    for (let v = 0; v <= yMax + step / 2; v += step) {
      root.append(svg('line', { class: 'grid-line', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
      root.append(svg('text', { class: 'axis-label', x: left - 8, y: y(v) + 4, 'text-anchor': 'end' }, millis(v)));
    }
    const minutes = Math.round((to - from) / 60000);
    const tick = minutes > 120 ? 60 : minutes > 30 ? 10 : 5;
    for (let m = 0; m <= minutes; m += tick) {
      const t = from + m * 60000;
      root.append(svg('line', { class: 'grid-line', x1: x(t), x2: x(t), y1: top, y2: height - bottom }));
      root.append(svg('text', { class: 'axis-label', x: x(t), y: height - 8, 'text-anchor': 'middle' }, new Date(t).toISOString().slice(11, 16)));
    }
    if (points.length === 0) {
      root.append(svg('text', { class: 'axis-label', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No sales applied in this window'));
      return root;
    }
    // Sales per minute as light bars on their own scale (right axis), so that a quiet minute still shows.
    const topCount = Math.max(...points.map(p => p.count));
    const barWidth = Math.max(3, ((width - left - right) / Math.max(1, minutes)) * 0.7);
    for (const p of points) {
      const h = (p.count / topCount) * (height - top - bottom) * 0.5;
      const bar = svg('rect', { class: 'sales-bar', x: (x(p.t) - barWidth / 2).toFixed(1), y: (height - bottom - h).toFixed(1), width: barWidth.toFixed(1), height: h.toFixed(1) });
      bar.append(svg('title', null, `${p.count} sales`));
      root.append(bar);
    }
    root.append(svg('text', { class: 'axis-label', x: left + 8, y: top + 12, 'text-anchor': 'start' }, `bars: sales per minute (max ${topCount})`));
    for (const key of ['p99', 'p50']) {
      root.append(svg('polyline', { class: key, points: points.map(p => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ') }));
      for (const p of points) {
        const dot = svg('circle', { class: `dot-${key}`, cx: x(p.t).toFixed(1), cy: y(p[key]).toFixed(1), r: 4 });
        dot.append(svg('title', null, `${new Date(p.t - 30000).toISOString().slice(11, 16)} UTC · ${key} ${millis(p[key])} · ${p.count} sales`));
        root.append(dot);
      }
    }
    return root;
  }

  function niceStep(raw) {
    const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
    const unit = raw / power;
    return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
  }

  // --- refreshing and the token ------------------------------------------------------------------------------------

  const sections = [
    ['sagas-body', () => getJson('/ops/sagas/by-state'), renderSagas],
    ['stuck-body', () => getJson('/ops/sagas/stuck?limit=50'), renderStuck],
    ['dead-letters-body', () => getJson('/ops/dead-letters/groups?status=Open'), renderDeadLetters],
    ['divergence-body', () => getJson('/erp/reconciliation?largest=8', { notFound: null }), renderDivergence],
    ['latency-body', () => getJson('/ops/latency?minutes=60'), renderLatency],
  ];

  async function refresh() {
    clearTimeout(timer);
    const results = await Promise.allSettled(sections.map(([, load]) => load()));
    let authNeeded = false;
    let errors = 0;
    results.forEach((result, i) => {
      const [id, , render] = sections[i];
      if (result.status === 'fulfilled') {
        try {
          render(result.value);
          return;
        } catch (error) {
          result = { reason: error };
        }
      }
      errors++;
      if (result.reason instanceof AuthRequired) {
        authNeeded = true;
        fill(id, el('p', { class: 'error' }, 'An operator token is needed to read this.'));
      } else {
        fill(id, el('p', { class: 'error' }, `Could not load: ${result.reason && result.reason.message}`));
      }
    });

    document.getElementById('token-form').hidden = !authNeeded;
    const status = document.getElementById('status');
    status.className = `pill ${errors === 0 ? 'pill-ok' : 'pill-bad'}`;
    status.textContent = errors === 0 ? 'Live' : authNeeded ? 'Token needed' : `${errors} section${errors === 1 ? '' : 's'} failed`;
    document.getElementById('refreshed').textContent = `Updated ${time(new Date().toISOString())}`;
    refreshes++;
    document.body.dataset.refreshes = String(refreshes);
    document.body.dataset.errors = String(errors);
    document.body.dataset.loaded = 'true';
    timer = setTimeout(refresh, REFRESH_SECONDS * 1000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('interval').textContent = String(REFRESH_SECONDS);
    document.getElementById('token-form').addEventListener('submit', event => {
      event.preventDefault();
      const input = document.getElementById('token');
      const token = input.value.trim();
      if (token) sessionStorage.setItem(TOKEN_KEY, token.replace(/^Bearer\s+/i, ''));
      else sessionStorage.removeItem(TOKEN_KEY);
      input.value = '';
      refresh();
    });
    refresh();
  });
})();
