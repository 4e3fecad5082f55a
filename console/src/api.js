// Calls to the imeiguard API from the console. The API key stays in sessionStorage, so it is gone
// when the tab closes, and goes out as `Authorization: Bearer <key>` as the API expects.

const KEY_STORAGE = 'imeiguard.apiKey';

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE) || '';
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

// An API answer that is not 2xx, with the problem details' reason and detail.
export class ApiError extends Error {
  constructor(status, reason, detail) {
    super(detail || `the server answered ${status}`);
    this.status = status;
    this.reason = reason || '';
  }
}

// Sends one request and returns {status, body}. Throws ApiError for a status of 400 or more, and
// an ApiError with status 0 when the server cannot be reached.
export async function apiRequest(method, path, { body, key = storedKey() } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, 'unreachable', `the server cannot be reached: ${error.message}`);
  }
  let parsed = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed?.reason, parsed?.detail);
  }
  return { status: response.status, body: parsed };
}

export const apiGet = (path, options) => apiRequest('GET', path, options);
export const apiPost = (path, body, options) => apiRequest('POST', path, { ...options, body });

// The query string of `params`, leaving out empty values.
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
