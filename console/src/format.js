// Formatting and small decisions of the console's pages, kept free of the DOM so vitest can run them.

// Delays above this mark an upload as late when the API sends no `late` flag (the case's own
// events have none). It matches the default of the server's console.late_after setting.
export const DEFAULT_LATE_AFTER_SECONDS = 3600;

// "2 d 3 h", "45 min", "12 s": the largest two units of a duration in seconds.
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '';
  const sign = seconds < 0 ? '−' : '';
  let rest = Math.round(Math.abs(seconds));
  const units = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts = [];
  for (const [name, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return sign + (parts.length ? parts.join(' ') : '0 s');
}

// "2026-03-02 06:14:09 UTC" from an RFC 3339 time, so that every officer reads the same clock.
export function formatTime(text) {
  if (!text) return '';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatSek(value) {
  if (value === null || value === undefined) return '';
  return `${Math.round(value).toLocaleString('sv-SE')} SEK`;
}

// The scan's record time: when the carrier's systems received it, else when imeiguard stored it.
export function recordTime(event) {
  return event.received || event.recorded_at;
}

// Seconds from the scan to its record time.
export function recordDelaySeconds(event) {
  return (Date.parse(recordTime(event)) - Date.parse(event.time)) / 1000;
}

// Whether a scan reached the carrier's systems late: the API's own flag when it sends one.
export function isLateUpload(event, lateAfterSeconds = DEFAULT_LATE_AFTER_SECONDS) {
  if (typeof event.late === 'boolean') return event.late;
  return recordDelaySeconds(event) > lateAfterSeconds;
}

// Measured minus declared weight in grams, or null when the scan weighed nothing.
export function weightDifference(event, declaredWeight) {
  if (event.weight_difference_g !== undefined && event.weight_difference_g !== null) {
    return event.weight_difference_g;
  }
  if (event.weight_g === undefined || event.weight_g === null) return null;
  if (declaredWeight === undefined || declaredWeight === null) return null;
  return event.weight_g - declaredWeight;
}

const DELIVERY_SCANS = new Set(['delivered', 'picked_up']);

// How a delivery was proven: the API's proof when it sends one, else read from the node type.
export function proofOfDelivery(event) {
  if (event.proof_of_delivery) return event.proof_of_delivery;
  if (!DELIVERY_SCANS.has(event.type)) return null;
  const strong = ['locker', 'service_point'].includes(event.node_type) || event.type === 'picked_up';
  return { kind: event.node_type || 'doorstep', strength: strong ? 'strong' : 'weak' };
}

// Words a person reads for the API's enum values: "awaiting_approval" -> "awaiting approval".
export function humanize(value) {
  return String(value ?? '').replaceAll('_', ' ');
}

// What each case lock state lets an officer do next.
export function caseActions(lock) {
  switch (lock) {
    case 'awaiting_approval':
      return ['approve-lock', 'reject-lock'];
    case 'approved':
    case 'automatic':
      return ['unlock', 'confirm-theft'];
    case 'unlock_awaiting_approval':
      return ['unlock'];
    default:
      return [];
  }
}

// The API's error as one sentence for the officer, with the four-eyes rule spelled out.
export function describeError(error) {
  if (error?.reason === 'second_officer_required') {
    return 'A second security officer must do this step: the officer who asked for it cannot ' +
      'also approve it. Ask a colleague to sign in with their own key and approve.';
  }
  if (error?.status === 401) return 'The API key was not accepted. Sign in again.';
  if (error?.status === 403) return 'Your key’s role may not do this.';
  return error?.message || String(error);
}

// Orders grouped by device id, each group oldest first.
export function ordersByDevice(orders) {
  const groups = new Map();
  for (const order of orders || []) {
    if (!groups.has(order.device_id)) groups.set(order.device_id, []);
    groups.get(order.device_id).push(order);
  }
  for (const list of groups.values()) list.sort((a, b) => a.order_id - b.order_id);
  return groups;
}

// The route of a location hash: "#/cases/12" -> {page: 'case', id: '12'}.
export function parseRoute(hash) {
  const path = (hash || '').replace(/^#/, '') || '/cases';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'cases' && parts[1]) return { page: 'case', id: parts[1] };
  if (parts[0] === 'cases') return { page: 'cases' };
  if (parts[0] === 'devices') return { page: 'device', id: parts[1] || '' };
  if (parts[0] === 'hotspots') return { page: 'hotspots', dimension: parts[1] || 'terminal' };
  return { page: 'not_found', path };
}

// A p-value as people read it: "< 0.001" for tiny ones, else three significant digits.
export function formatPValue(p) {
  if (p === null || p === undefined) return '';
  if (p < 0.001) return '< 0.001';
  return p.toPrecision(3).replace(/\.?0+$/, '');
}

// How strongly a hotspot row stands out: by its adjusted q-value when the API sends one.
export function significance(row) {
  const value = row.q_value ?? row.p_value;
  if (value < 0.01) return 'strong';
  if (value < 0.05) return 'notable';
  return 'none';
}
