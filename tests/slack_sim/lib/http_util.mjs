// Small HTTP helpers shared by the simulator's endpoints: bounded body reading, the three argument
// encodings Slack accepts (slack-protocol.md §3.1), and response writers.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readBody(req, limit = 64 * 1024 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// "application/json; charset=utf-8" -> { type: 'application/json', charset: 'utf-8' }
export function contentType(req) {
  const raw = req.headers['content-type'];
  if (!raw) return { type: '', charset: undefined };
  const [type, ...params] = raw.split(';').map((s) => s.trim());
  const charset = params.find((p) => p.toLowerCase().startsWith('charset='))?.slice(8);
  return { type: type.toLowerCase(), charset };
}

// Multipart bodies are parsed by the fetch Response built into Node (no dependency needed).
// File fields become { filename, type, bytes }.
export async function parseMultipart(body, rawContentType) {
  const form = await new Response(body, { headers: { 'content-type': rawContentType } }).formData();
  const fields = {};
  for (const [key, value] of form.entries()) {
    fields[key] = typeof value === 'string'
      ? value
      : { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
  }
  return fields;
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res, status, text, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// Slack's 5xx pages are HTML ("Server Error | Slack"), which clients must not try to parse as JSON.
export function sendHtmlError(res, status) {
  const title = status === 503 ? 'Service Unavailable' : 'Server Error';
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
  res.end(`<!DOCTYPE html><html><head><title>${title} | Slack</title></head>`
    + `<body><h1>${status} ${title}</h1><p>Something went wrong.</p></body></html>`);
}

// An abrupt TCP reset rather than a FIN. A TLS socket cannot reset itself: its raw TCP socket
// (`_parent` on server-side TLS sockets) can.
export function resetSocket(socket) {
  const tcp = socket._parent ?? socket;
  if (typeof tcp.resetAndDestroy === 'function' && tcp._handle) tcp.resetAndDestroy();
  else tcp.destroy();
  socket.destroy();
}
