// The hotspot chart's rows and its text summary, kept free of the DOM so Vitest can run them.
import { formatPValue, significance } from './format.js';

// The chart's rows: the most significant first, at most `limit`, with a label a person reads.
export function hotspotChartRows(rows, limit = 15) {
  return rows.slice(0, limit).map((row) => ({
    label: `${row.key} (p ${formatPValue(row.p_value)})`,
    key: row.key,
    losses: row.losses,
    expected: Number(row.expected_losses.toFixed(2)),
    parcels: row.parcels,
    p_value: row.p_value,
    q_value: row.q_value,
    significance: significance(row),
  }));
}

// Builds one or two sentences that describe the chart, for people who cannot see it.
export function hotspotSummary(report) {
  const standouts = report.rows.filter((row) => significance(row) !== 'none');
  if (standouts.length === 0) {
    return `No ${report.dimension} has more losses than its flow explains ` +
      `(every adjusted p-value is 0.05 or more), across ${report.rows_total} tested.`;
  }
  const named = standouts.slice(0, 3).map((row) =>
    `${row.key}: ${row.losses} lost where ${row.expected_losses.toFixed(1)} were expected ` +
    `(p ${formatPValue(row.p_value)})`);
  return `${standouts.length} of ${report.rows_total} ${report.dimension} rows stand out. ` +
    `${named.join('; ')}.`;
}
