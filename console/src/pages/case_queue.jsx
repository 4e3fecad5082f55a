import { useState } from 'preact/hooks';
import { apiGet, queryString } from '../api.js';
import { Badge, ErrorMessage, Loading, useLoad, PageHeading } from '../components.jsx';
import { formatSek, formatTime, humanize } from '../format.js';

const PAGE_SIZE = 25;

// The case queue as the API orders it: newest first, and within one batch the most valuable.
export function CaseQueue() {
  // The `after` cursors of the pages seen so far; the last one is the page on screen.
  const [cursors, setCursors] = useState([0]);
  const after = cursors[cursors.length - 1];
  const { data, error, loading } = useLoad(
    () => apiGet(`/v1/cases${queryString({ after: after || '', limit: PAGE_SIZE })}`),
    [after],
  );
  const cases = data?.body.cases || [];
  const nextAfter = data?.body.next_after;

  return (
    <section aria-labelledby="queue-title">
      <PageHeading id="queue-title">Case queue</PageHeading>
      <p class="lead">Newest first; cases opened together are ordered by the value of their phones.</p>
      <ErrorMessage error={error} />
      {loading && <Loading what="cases" />}
      {!loading && !error && cases.length === 0 && <p>No cases are open.</p>}
      {cases.length > 0 && (
        <table class="stack">
          <caption class="visually-hidden">Cases, page {cursors.length}</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Parcel</th>
              <th scope="col">Verdict</th>
              <th scope="col">Lock</th>
              <th scope="col">Value</th>
              <th scope="col">Opened</th>
              <th scope="col">Waiting for</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((item) => (
              <tr key={item.case_id} class={item.lock === 'awaiting_approval' ? 'needs-action' : ''}>
                <td data-label="Case"><a href={`#/cases/${item.case_id}`}>Case {item.case_id}</a></td>
                <td data-label="Parcel"><code>{item.parcel_id}</code></td>
                <td data-label="Verdict"><Badge kind={item.verdict}>{humanize(item.verdict)}</Badge></td>
                <td data-label="Lock">{humanize(item.lock)}</td>
                <td data-label="Value" class="number">{formatSek(item.value_sek)}</td>
                <td data-label="Opened">{formatTime(item.opened_at)}</td>
                <td data-label="Waiting for">{humanize(item.hold_reason) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button type="button" disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={nextAfter === null || nextAfter === undefined}
          onClick={() => setCursors([...cursors, nextAfter])}>Next page</button>
      </div>
    </section>
  );
}
