/* The FastPort admin dashboard: polls the admin JSON API once a second and draws canvas charts.
 * Plain browser script, no libraries, nothing loaded from elsewhere (the page works offline). */
/* global document, window, fetch, sessionStorage, location, history */
'use strict';

const HISTORY_SECONDS = 300;
const PAGE = 50;
const COLORS = ['#4fb3ff', '#ffb347', '#7bd88f', '#ff6b6b', '#c792ea', '#f07178', '#89ddff', '#ffcb6b'];

const state = {
  token: readToken(),
  samples: [],
  offset: 0,
  closeColors: {},
};

/** The token from `#token=...` in the address (then kept for this tab), or the one kept earlier. */
function readToken() {
  const match = /token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('fastport-admin-token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('fastport-admin-token') || '';
}

async function api(path, body) {
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    document.getElementById('token-form').hidden = false;
    throw new Error('the admin API wants a bearer token');
  }
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function number(value) {
  if (value === null || value === undefined) return '-';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value * 100) / 100);
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `up ${h}h ${m}m ${seconds % 60}s`;
}

/** Draws series ({ label, color, values }) over the sample times as lines, y from 0 to the largest value. */
function drawChart(id, series) {
  const canvas = document.getElementById(id);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const left = 44;
  const bottom = height - 16;
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  max = max > 0 ? max * 1.1 : 1;
  g.strokeStyle = '#2a333d';
  g.fillStyle = '#8a949e';
  g.font = '11px system-ui, sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = bottom - (bottom - 6) * (i / 4);
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(width, y);
    g.stroke();
    g.fillText(number((max * i) / 4), 2, y + 4);
  }
  const x = (i) => left + ((width - left) * i) / (HISTORY_SECONDS - 1);
  const offset = HISTORY_SECONDS - state.samples.length;
  series.forEach((s, n) => {
    g.strokeStyle = s.color;
    g.lineWidth = 1.5;
    g.beginPath();
    let drawing = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        drawing = false;
        return;
      }
      const y = bottom - (bottom - 6) * (v / max);
      if (drawing) g.lineTo(x(offset + i), y);
      else g.moveTo(x(offset + i), y);
      drawing = true;
    });
    g.stroke();
    g.fillStyle = s.color;
    g.fillText(s.label, left + 6 + n * 90, height - 3);
  });
}

function closeColor(reason) {
  if (!(reason in state.closeColors))
    state.closeColors[reason] = COLORS[Object.keys(state.closeColors).length % COLORS.length];
  return state.closeColors[reason];
}

function drawCharts() {
  const s = state.samples;
  const pick = (key) => s.map((sample) => sample[key]);
  drawChart('chart-sessions', [{ label: 'sessions', color: COLORS[0], values: pick('sessions') }]);
  drawChart('chart-msgs', [
    { label: 'in', color: COLORS[0], values: pick('msgsInPerSec') },
    { label: 'out', color: COLORS[1], values: pick('msgsOutPerSec') },
  ]);
  drawChart('chart-latency', [
    { label: 'p50', color: COLORS[2], values: pick('p50Ms') },
    { label: 'p99', color: COLORS[3], values: pick('p99Ms') },
  ]);
  const reasons = new Set();
  for (const sample of s) for (const reason of Object.keys(sample.closes)) reasons.add(reason);
  drawChart(
    'chart-closes',
    [...reasons].map((reason) => ({
      label: reason,
      color: closeColor(reason),
      values: s.map((sample) => sample.closes[reason] || 0),
    })),
  );
  drawChart('chart-bytes', [
    { label: 'in', color: COLORS[4], values: pick('bytesInPerSec') },
    { label: 'out', color: COLORS[6], values: pick('bytesOutPerSec') },
  ]);
}

function cell(row, value) {
  const td = document.createElement('td');
  td.textContent = value;
  row.appendChild(td);
  return td;
}

function renderStatus(status) {
  text('engine', `engine ${status.engine}`);
  const accepting = document.getElementById('accepting');
  accepting.textContent = status.accepting ? 'accepting' : 'not accepting';
  accepting.className = `badge ${status.accepting ? 'ok' : 'bad'}`;
  text('uptime', duration(status.uptimeSeconds));
  const now = status.now || {};
  text('tile-sessions', number(status.sessions));
  text('tile-rooms', number(status.rooms));
  text('tile-msgs-in', number(now.msgsInPerSec));
  text('tile-msgs-out', number(now.msgsOutPerSec));
  text('tile-p50', now.p50Ms === null || now.p50Ms === undefined ? '-' : `${now.p50Ms} ms`);
  text('tile-p99', now.p99Ms === null || now.p99Ms === undefined ? '-' : `${now.p99Ms} ms`);
  const body = document.querySelector('#close-totals tbody');
  body.replaceChildren();
  for (const [reason, count] of Object.entries(status.closeReasons)) {
    if (count === 0) continue;
    const row = document.createElement('tr');
    cell(row, reason);
    cell(row, number(count));
    body.appendChild(row);
  }
}

function renderSessions(page) {
  text(
    'sessions-total',
    `${page.total} open, showing ${page.offset + 1}-${page.offset + page.sessions.length}`,
  );
  const body = document.querySelector('#sessions tbody');
  body.replaceChildren();
  for (const session of page.sessions) {
    const row = document.createElement('tr');
    row.dataset.session = String(session.id);
    cell(row, session.id);
    cell(row, session.remote);
    cell(row, session.phase);
    cell(row, session.authenticated ? 'yes' : 'no');
    cell(row, session.rooms.join(', '));
    cell(row, session.queued);
    cell(row, `${Math.round(session.idleMs / 1000)} s`);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'kick';
    button.textContent = 'kick';
    button.addEventListener('click', () => kick(session.id));
    cell(row, '').appendChild(button);
    body.appendChild(row);
  }
}

function renderRooms(page) {
  text('rooms-total', `${page.total}`);
  const body = document.querySelector('#rooms tbody');
  body.replaceChildren();
  for (const room of page.rooms) {
    const row = document.createElement('tr');
    cell(row, room.id);
    cell(row, room.members);
    body.appendChild(row);
  }
}

async function kick(id) {
  await api(`/api/sessions/${id}/kick`, { reason: 'kicked from the dashboard' }).catch(showError);
  await refresh();
}

function showError(error) {
  const box = document.getElementById('error');
  box.hidden = error === undefined;
  if (error !== undefined) box.textContent = error.message;
}

async function refresh() {
  try {
    const since = state.samples.length ? state.samples[state.samples.length - 1].t : 0;
    const [history, status, sessions, rooms] = await Promise.all([
      api(`/api/history?since=${since}`),
      api('/api/status'),
      api(`/api/sessions?offset=${state.offset}&limit=${PAGE}`),
      api(`/api/rooms?limit=${PAGE}`),
    ]);
    state.samples.push(...history.samples);
    if (state.samples.length > HISTORY_SECONDS)
      state.samples.splice(0, state.samples.length - HISTORY_SECONDS);
    renderStatus(status);
    renderSessions(sessions);
    renderRooms(rooms);
    drawCharts();
    showError(undefined);
  } catch (error) {
    showError(error);
  }
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.token = document.getElementById('token').value;
  sessionStorage.setItem('fastport-admin-token', state.token);
  document.getElementById('token-form').hidden = true;
  void refresh();
});
document.getElementById('notice-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('notice-text');
  api('/api/notice', { text: input.value })
    .then((result) => text('notice-result', `delivered to ${result.delivered} sessions`))
    .catch(showError);
});
document.getElementById('prev').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - PAGE);
  void refresh();
});
document.getElementById('next').addEventListener('click', () => {
  state.offset += PAGE;
  void refresh();
});

void refresh();
window.setInterval(refresh, 1000);
