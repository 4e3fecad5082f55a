import { useEffect, useRef, useState } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from 'chart.js';
import { apiGet, queryString } from '../api.js';
import { ErrorMessage, Loading, useLoad, PageHeading } from '../components.jsx';
import { formatPValue, formatTime, humanize, significance } from '../format.js';
import { hotspotChartRows, hotspotSummary } from '../hotspot_view.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const DIMENSIONS = [
  ['terminal', 'Terminals'],
  ['route', 'Routes'],
  ['shift', 'Shifts'],
  ['handler', 'Handlers'],
];

// Colours with at least 3:1 contrast against the white page, as graphics need.
const COLOURS = { strong: '#b3261e', notable: '#b45309', none: '#5f6b7a', expected: '#808b98' };

const DAY = 86400 * 1000;

function dateInput(date) {
  return date.toISOString().slice(0, 10);
}

// Shows where losses concentrate against normal flow, per terminal, route, shift or handler.
export function Hotspots({ dimension }) {
  const [period, setPeriod] = useState(() => {
    const to = new Date(Date.now() + DAY);
    return { from: dateInput(new Date(to.getTime() - 8 * DAY)), to: dateInput(to) };
  });
  const [draft, setDraft] = useState(period);
  const { data, error, loading } = useLoad(() => apiGet(`/v1/hotspots${queryString({
    dimension,
    from: `${period.from}T00:00:00Z`,
    to: `${period.to}T00:00:00Z`,
    limit: 200,
  })}`), [dimension, period.from, period.to]);

  return (
    <section aria-labelledby="hotspots-title">
      <PageHeading id="hotspots-title">Hotspots</PageHeading>
      <p class="lead">
        Losses at each place, time or person against how many phone parcels passed there. A bar
        far above its grey twin, with a small p-value, is a place to look.
      </p>
      <nav aria-label="Dimension" class="tabs">
        {DIMENSIONS.map(([name, label]) => (
          <a key={name} href={`#/hotspots/${name}`}
            aria-current={dimension === name ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <form class="window" onSubmit={(event) => {
        event.preventDefault();
        setPeriod(draft);
      }}>
        <label for="hotspots-from">From (event time, UTC)</label>
        <input id="hotspots-from" type="date" required value={draft.from}
          onInput={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
        <label for="hotspots-to">To (exclusive)</label>
        <input id="hotspots-to" type="date" required value={draft.to}
          onInput={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
        <button type="submit">Show</button>
      </form>
      <ErrorMessage error={error} />
      {loading && <Loading what="hotspots" />}
      {data && !loading && <HotspotReport report={data.body} />}
    </section>
  );
}

function HotspotReport({ report }) {
  const [showTable, setShowTable] = useState(false);
  const rows = hotspotChartRows(report.rows);
  return (
    <div class="report">
      <p>
        {report.losses} lost of {report.parcels} phone parcels between {formatTime(report.from)} and{' '}
        {formatTime(report.to)}: a network-wide loss rate of {(report.loss_rate * 100).toFixed(2)} %.
        {report.dimension === 'shift' && ` Shifts in local time ${report.utc_offset}.`}
      </p>
      {report.rows.length === 0 ? <p>No {humanize(report.dimension)} has any flow in this window.</p> : (
        <>
          <p id="hotspot-summary" class="summary-text">{hotspotSummary(report)}</p>
          <HotspotChart rows={rows} dimension={report.dimension} />
          <button type="button" class="secondary" aria-expanded={showTable} aria-controls="hotspot-table"
            onClick={() => setShowTable(!showTable)}>
            {showTable ? 'Hide the table' : 'Show as a table'}
          </button>
          <div id="hotspot-table" hidden={!showTable}>
            <HotspotTable report={report} />
          </div>
        </>
      )}
    </div>
  );
}

function HotspotChart({ rows, dimension }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: rows.map((row) => row.label),
        datasets: [
          {
            label: 'Lost parcels',
            data: rows.map((row) => row.losses),
            backgroundColor: rows.map((row) => COLOURS[row.significance]),
          },
          {
            label: 'Expected at the network-wide rate',
            data: rows.map((row) => row.expected),
            backgroundColor: COLOURS.expected,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, title: { display: true, text: 'parcels' } } },
        plugins: {
          tooltip: {
            callbacks: {
              afterBody: (items) => {
                const row = rows[items[0].dataIndex];
                return [`${row.parcels} parcels passed`, `p = ${formatPValue(row.p_value)}`,
                  `q = ${formatPValue(row.q_value)}`];
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [rows]);
  const height = Math.max(160, rows.length * 34 + 60);
  return (
    <div class="chart" style={{ height: `${height}px` }}>
      <canvas ref={canvas} role="img" aria-describedby="hotspot-summary"
        aria-label={`Bar chart of lost and expected parcels per ${dimension}`} />
    </div>
  );
}

function HotspotTable({ report }) {
  return (
    <table class="stack">
      <caption>Every {humanize(report.dimension)}, most significant first</caption>
      <thead>
        <tr>
          <th scope="col">{humanize(report.dimension)}</th>
          <th scope="col">Parcels</th>
          <th scope="col">Lost</th>
          <th scope="col">Expected</th>
          <th scope="col">Ratio</th>
          <th scope="col">p-value</th>
          <th scope="col">q-value</th>
        </tr>
      </thead>
      <tbody>
        {report.rows.map((row) => (
          <tr key={row.key} class={`significance-${significance(row)}`}>
            <th scope="row" data-label={humanize(report.dimension)}>{row.key}</th>
            <td data-label="Parcels" class="number">{row.parcels}</td>
            <td data-label="Lost" class="number">{row.losses}</td>
            <td data-label="Expected" class="number">{row.expected_losses.toFixed(2)}</td>
            <td data-label="Ratio" class="number">{row.ratio === null ? '—' : row.ratio.toFixed(1)}</td>
            <td data-label="p-value" class="number">{formatPValue(row.p_value)}</td>
            <td data-label="q-value" class="number">{formatPValue(row.q_value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
