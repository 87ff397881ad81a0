// chatcache demo page: how a browser client uses the API (README, "Demo page").
//
// Served by chatcache at /demo/, or by any other web server: ?api=<chatcache's address> then names
// the API, whose CHATCACHE_CORS_ORIGINS must admit this page's origin. ?chat=<id> opens a chat.
// The token is typed into the page and kept in memory only: never in a URL or in storage.
'use strict';

const PAGE_SIZE = 20;
const $ = (id) => document.getElementById(id);

const state = {
  api: '',
  chatId: null,
  token: '',
  messages: new Map(), // id -> message, as the API renders it: events are applied by id
  hasOlder: false,
  filter: null, // the search's fields, or null: the whole chat
  stream: null, // { close() }
};

// ------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, message, response) {
    super(message);
    this.status = status;
    this.retryAfter = response && response.headers.get('Retry-After');
    this.requestId = response && response.headers.get('X-Request-Id');
  }
}

function authHeaders() {
  return state.token ? { Authorization: 'Bearer ' + state.token } : {};
}

// One request; an error answer becomes an ApiError with the API's own words ({"error": ...}).
async function call(method, path, body, extraHeaders) {
  const headers = { ...authHeaders(), ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(state.api + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    // why no details: a browser hides why (CORS refusal, server down) from the page on purpose
    throw new ApiError(0, 'could not reach ' + state.api + ' (server down, or this origin not allowed by CHATCACHE_CORS_ORIGINS)');
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, (json && json.error) || response.statusText, response);
  }
  return json;
}

// ------------------------------------------------------------------ what the page shows

function setStatus(stateName, text) {
  const status = $('status');
  status.dataset.state = stateName;
  status.textContent = text;
}

function showError(e) {
  let text = e.status ? `${e.status}: ${e.message}` : e.message;
  if (e.retryAfter) text += ` (try again in ${e.retryAfter} s)`;
  if (e.requestId) text += ` [request ${e.requestId}]`;
  setStatus('error', text);
}

// Newest first, as the API orders: createdAt, then id (both descending).
function ordered() {
  return [...state.messages.values()].sort((a, b) =>
    a.createdAt === b.createdAt ? b.id - a.id : (a.createdAt < b.createdAt ? 1 : -1));
}

function render(newIds = new Set()) {
  const list = $('messages');
  const items = ordered().map((m) => {
    const li = document.createElement('li');
    li.dataset.id = m.id;
    if (newIds.has(m.id)) li.className = 'new';
    const meta = document.createElement('div');
    meta.className = 'meta';
    // why textContent everywhere: a message is its author's text, never markup
    meta.textContent = `#${m.id} · user ${m.userId} · ${new Date(m.createdAt).toLocaleString()}`;
    if (m.read) {
      const read = document.createElement('span');
      read.className = 'read';
      read.textContent = ' · read';
      meta.append(read);
    }
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = m.message;
    li.append(meta, text);
    return li;
  });
  list.replaceChildren(...items);
  $('older').hidden = !state.hasOlder;
}

// ------------------------------------------------------------------ pages

function query(extra) {
  return { limit: PAGE_SIZE, ...state.filter, ...extra };
}

// The newest page (of the search, if any); its eventId is where the event stream joins without a gap.
async function loadLatest() {
  const page = await call('POST', `/chat/${state.chatId}/messages`, query({}));
  state.messages.clear();
  page.messages.forEach((m) => state.messages.set(m.id, m));
  state.hasOlder = page.hasOlder;
  render();
  return page;
}

let loadingOlder = false;
async function loadOlder() {
  if (loadingOlder || !state.hasOlder) return;
  const shown = ordered();
  loadingOlder = true;
  try {
    const page = await call('POST', `/chat/${state.chatId}/messages`, query({ before: shown[shown.length - 1].id }));
    page.messages.forEach((m) => state.messages.set(m.id, m));
    state.hasOlder = page.hasOlder;
    render();
  } catch (e) {
    showError(e);
  } finally {
    loadingOlder = false;
  }
}

// ------------------------------------------------------------------ live events

// One event of the chat's stream, applied by message id: a change that is both in the page and
// in an event is applied twice with the same result.
function applyEvent(type, data, id) {
  $('status').dataset.lastEventId = id || $('status').dataset.lastEventId || '';
  switch (type) {
    case 'message.created':
      // why not while searching: a new message need not match the search
      if (!state.filter) {
        state.messages.set(data.id, data);
        render(new Set([data.id]));
        refreshUnread();
      }
      break;
    case 'message.edited':
      if (state.messages.has(data.id)) {
        state.messages.set(data.id, data);
        render();
      }
      break;
    case 'message.deleted':
      state.messages.delete(data.id);
      render();
      break;
    case 'message.read':
      data.ids.forEach((i) => { if (state.messages.has(i)) state.messages.get(i).read = true; });
      render();
      break;
    case 'reset':
      // the events after our id are gone: read the page again; the stream goes on from this event
      setStatus('live', `live (reset: ${data.reason}; page read again)`);
      loadLatest().catch(showError);
      break;
    case 'paused':
      setStatus('paused', `paused: ${data.reason}`);
      break;
    case 'resumed':
      setStatus('live', 'live');
      break;
    case 'closed':
      setStatus('reconnecting', `closed by the server (${data.reason}); reconnecting`);
      break;
  }
}

const EVENTS = ['message.created', 'message.edited', 'message.deleted', 'message.read', 'reset', 'paused', 'resumed', 'closed'];

// Anonymous: an EventSource, which reconnects by itself and sends Last-Event-ID when it does.
function openEventSource(after) {
  const source = new EventSource(`${state.api}/chat/${state.chatId}/events?after=${encodeURIComponent(after)}`);
  source.onopen = () => setStatus('live', 'live');
  source.onerror = () => setStatus('reconnecting', 'connection lost; reconnecting');
  EVENTS.forEach((type) => source.addEventListener(type, (e) => applyEvent(type, JSON.parse(e.data), e.lastEventId)));
  return { close: () => source.close() };
}

// Signed in: an EventSource cannot send Authorization, so the same stream is read with fetch,
// and this loop does what an EventSource does itself: parse frames, wait `retry` ms and
// reconnect with Last-Event-ID.
function openFetchStream(after) {
  const abort = new AbortController();
  let lastId = after;
  let retryMillis = 2000;
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`${state.api}/chat/${state.chatId}/events?after=${encodeURIComponent(after)}`, {
          headers: { ...authHeaders(), Accept: 'text/event-stream', 'Last-Event-ID': lastId },
          signal: abort.signal,
        });
        if (!response.ok) {
          const json = await response.json().catch(() => null);
          const error = new ApiError(response.status, (json && json.error) || response.statusText, response);
          if (response.status !== 429 && response.status < 500) throw error; // no use retrying
          showError(error);
        } else {
          setStatus('live', 'live');
          await readFrames(response.body, (frame) => {
            if (frame.retry) retryMillis = frame.retry;
            if (frame.id) lastId = frame.id;
            if (frame.event) applyEvent(frame.event, JSON.parse(frame.data), frame.id);
          });
          setStatus('reconnecting', 'connection lost; reconnecting');
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof ApiError) { showError(e); return; }
        setStatus('reconnecting', 'connection lost; reconnecting');
      }
      await new Promise((resolve) => setTimeout(resolve, retryMillis));
    }
  })();
  return { close: () => abort.abort() };
}

// Server-Sent Events framing: "field: value" lines, a blank line ends a frame, ":" lines are comments.
async function readFrames(body, onFrame) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let frame = {};
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line === '') {
        if (frame.event || frame.retry) onFrame(frame);
        frame = {};
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') frame.data = frame.data === undefined ? text : frame.data + '\n' + text;
        else if (field === 'retry') frame.retry = Number(text);
        else if (field === 'id' || field === 'event') frame[field] = text;
      }
    }
  }
}

// ------------------------------------------------------------------ unread counts and posting

async function refreshUnread() {
  if (!state.token) return;
  try {
    const answer = await call('GET', '/me/unread');
    $('unread').replaceChildren(...answer.chats.map((c) => {
      const li = document.createElement('li');
      li.dataset.chatId = c.chatId;
      li.textContent = `chat ${c.chatId}: ${c.unread} unread`;
      return li;
    }));
  } catch (e) {
    showError(e);
  }
}

async function post(event) {
  event.preventDefault();
  const box = $('message');
  try {
    // the key makes a retried post (a lost answer) one message, not two
    await call('POST', `/chat/${state.chatId}/message`, { message: box.value }, { 'Idempotency-Key': crypto.randomUUID() });
    box.value = '';
  } catch (e) {
    showError(e);
  }
}

// ------------------------------------------------------------------ opening a chat, searching

async function open() {
  if (state.stream) state.stream.close();
  state.stream = null;
  setStatus('loading', 'loading…');
  try {
    const page = await loadLatest();
    state.stream = state.token ? openFetchStream(page.eventId) : openEventSource(page.eventId);
  } catch (e) {
    showError(e);
  }
  $('post').hidden = !state.token;
  $('unread-section').hidden = !state.token;
  refreshUnread();
}

// The search form as the read API's filter fields; empty fields are no filter.
function searchFilter() {
  const filter = {};
  const text = $('text').value.trim();
  if (text) filter.text = text;
  const ids = $('userIds').value.split(',').map((s) => s.trim()).filter((s) => s);
  if (ids.length) filter.userIds = ids.map(Number);
  // datetime-local is the reader's local time; the API takes instants with an offset
  if ($('since').value) filter.since = new Date($('since').value).toISOString();
  if ($('until').value) filter.until = new Date($('until').value).toISOString();
  return Object.keys(filter).length ? filter : null;
}

async function search(filter) {
  state.filter = filter;
  $('filter-note').textContent = filter ? '(search results; new messages show when you show all)' : '';
  try {
    await loadLatest();
  } catch (e) {
    showError(e);
  }
}

function start() {
  const params = new URLSearchParams(location.search);
  $('api').value = params.get('api') || location.origin;
  $('chat').value = params.get('chat') || '';
  $('connect').addEventListener('submit', (e) => {
    e.preventDefault();
    state.api = $('api').value.replace(/\/+$/, '');
    state.chatId = Number($('chat').value);
    state.token = $('token').value.trim();
    state.filter = null;
    open();
  });
  $('search').addEventListener('submit', (e) => { e.preventDefault(); search(searchFilter()); });
  $('clear-search').addEventListener('click', () => { $('search').reset(); search(null); });
  $('post').addEventListener('submit', post);
  $('older').addEventListener('click', loadOlder);
  // older pages as the reader scrolls to the end of the list (the button does the same by hand)
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadOlder();
  }).observe($('older'));
  if ($('chat').value) $('connect').requestSubmit();
}

start();
