import { useState } from 'preact/hooks';
import { apiGet, apiPost, queryString } from '../api.js';
import { Badge, ErrorMessage, Loading, useLoad, PageHeading } from '../components.jsx';
import { caseActions, formatSek, formatTime, humanize, ordersByDevice } from '../format.js';
import { Timeline } from './timeline.jsx';
import { LockOrders } from './lock_orders.jsx';

// The case with its parcel; with `reveal`, the API shows whole IMEIs and records the reveal.
async function loadCase(caseId, reveal) {
  const query = reveal ? queryString({ reveal: 'true', reason: reveal }) : '';
  const detail = (await apiGet(`/v1/cases/${encodeURIComponent(caseId)}${query}`)).body;
  let timeline = null;
  try {
    timeline = (await apiGet(`/v1/parcels/${encodeURIComponent(detail.parcel_id)}/timeline`)).body;
  } catch {
    // A server without the timeline route: the parcel's own events serve, without its flags.
  }
  return { detail, timeline };
}

export function CaseDetail({ caseId }) {
  const [reveal, setReveal] = useState('');
  const { data, error, loading, reload } = useLoad(() => loadCase(caseId, reveal), [caseId, reveal]);

  // One heading in every state, so that the focus it took on arrival stays when the case loads.
  const title = data ? `Case ${data.detail.case_id}: parcel ${data.detail.parcel_id}` : `Case ${caseId}`;
  return (
    <article aria-labelledby="case-title">
      <p><a href="#/cases">← Case queue</a></p>
      <PageHeading id="case-title">{title}</PageHeading>
      {loading && !data && <Loading what="the case" />}
      {error && !data && <ErrorMessage error={error} />}
      {data && <CaseBody data={data} reveal={reveal} setReveal={setReveal} reload={reload} />}
    </article>
  );
}

function CaseBody({ data, reveal, setReveal, reload }) {
  const { detail, timeline } = data;
  const parcel = detail.parcel;
  const evidence = detail.evidence || parcel.evidence;
  return (
    <>
      <CaseSummary detail={detail} />
      {/* After a step the IMEIs are masked again: a reveal covers one look, not the rest of the visit. */}
      <CaseActions detail={detail} onDone={() => (reveal ? setReveal('') : reload())} />
      <section aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence behind the verdict “{humanize(detail.verdict)}”</h2>
        <Evidence evidence={evidence} />
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <Timeline parcel={parcel} timeline={timeline} />
      </section>
      <section aria-labelledby="devices-title">
        <h2 id="devices-title">Devices and their locks</h2>
        <Devices parcel={parcel} revealed={!!reveal} onReveal={setReveal} />
      </section>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps on this case</h2>
        <Steps steps={detail.steps} />
      </section>
    </>
  );
}

function CaseSummary({ detail }) {
  return (
    <dl class="summary">
      <div><dt>Verdict</dt><dd><Badge kind={detail.verdict}>{humanize(detail.verdict)}</Badge></dd></div>
      <div><dt>Lock</dt><dd>{humanize(detail.lock)}</dd></div>
      <div><dt>Waiting for</dt><dd>{detail.hold_reason ? humanize(detail.hold_reason) : '—'}{detail.hold_reason && detail.hold_rule && ` (rule ${humanize(detail.hold_rule)})`}</dd></div>
      <div><dt>Value</dt><dd>{formatSek(detail.value_sek)}</dd></div>
      <div><dt>Shipper</dt><dd>{detail.shipper_id}</dd></div>
      <div><dt>Opened</dt><dd>{formatTime(detail.opened_at)}</dd></div>
      <div><dt>Theft confirmed</dt><dd>{detail.theft_confirmed ? 'yes' : 'no'}</dd></div>
      <div><dt>Police report</dt><dd>{detail.police_report || '—'}</dd></div>
    </dl>
  );
}

const ACTION_LABELS = {
  'approve-lock': 'Approve lock',
  'reject-lock': 'Reject lock',
  unlock: 'Order unlock',
  'confirm-theft': 'Confirm theft',
};

const ACTION_DONE = {
  'approve-lock': 'Lock approved; the lock orders are on their way to the platforms.',
  'reject-lock': 'Lock rejected; the phones stay unlocked.',
  unlock: 'Unlock ordered.',
  'confirm-theft': 'Theft confirmed; an unlock now needs two officers.',
};

// The officer's steps on the case, each with a reason that goes into the audit trail.
function CaseActions({ detail, onDone }) {
  const [reason, setReason] = useState('');
  const [report, setReport] = useState('');
  const [outcome, setOutcome] = useState(null);
  const [error, setError] = useState(null);
  const actions = caseActions(detail.lock);

  const run = async (step, body) => {
    setError(null);
    setOutcome(null);
    try {
      const response = await apiPost(`/v1/cases/${detail.case_id}/${step}`, body);
      setOutcome(response.status === 202
        ? 'Unlock requested. A second security officer must approve it before the phones unlock.'
        : ACTION_DONE[step] || 'Recorded.');
      setReason('');
      setReport('');
      onDone();
    } catch (failure) {
      setError(failure);
    }
  };

  const submit = (step) => (event) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError(new Error('Write a reason first: it is recorded with your step.'));
      return;
    }
    run(step, { reason: reason.trim() });
  };

  return (
    <section aria-labelledby="actions-title" class="panel">
      <h2 id="actions-title">Decide</h2>
      {actions.length === 0 && <p>No lock decision is open on this case.</p>}
      {detail.requested_by && (
        <p class="message" role="note">
          Requested by <code>{detail.requested_by}</code>. Another security officer decides it
          with their own key.
        </p>
      )}
      {actions.length > 0 && (
        <form class="actions" onSubmit={submit(actions[0])}>
          <label for="action-reason">Reason (recorded in the audit trail)</label>
          <textarea id="action-reason" rows={2} maxLength={500} value={reason}
            onInput={(event) => setReason(event.currentTarget.value)} />
          <div class="buttons">
            {actions.map((step) => (
              <button key={step} type="button" class={step === 'reject-lock' ? 'secondary' : ''}
                onClick={submit(step)}>{ACTION_LABELS[step]}</button>
            ))}
          </div>
        </form>
      )}
      <form class="actions" onSubmit={(event) => {
        event.preventDefault();
        if (report.trim()) run('police-report', { report_number: report.trim() });
      }}>
        <label for="police-report">Police report number</label>
        <div class="inline">
          <input id="police-report" value={report} placeholder="5000-K123456-26"
            onInput={(event) => setReport(event.currentTarget.value)} />
          <button type="submit" class="secondary">Add report</button>
        </div>
      </form>
      {outcome && <p class="message success" role="status">{outcome}</p>}
      <ErrorMessage error={error} />
    </section>
  );
}

function Evidence({ evidence }) {
  if (!evidence || evidence.length === 0) return <p>No rule has fired on this parcel.</p>;
  return (
    <ol class="evidence">
      {evidence.map((item, index) => (
        <li key={index} class={`evidence-${item.outcome || 'plain'}`}>
          <p>
            <strong>{humanize(item.rule)}</strong>{' '}
            {item.outcome && <Badge kind={item.outcome}>{humanize(item.outcome)}</Badge>}{' '}
            <time dateTime={item.at}>{formatTime(item.at)}</time>
          </p>
          <p>{item.detail}</p>
          {item.event_id && <p class="muted">From scan <a href={`#event-${item.event_id}`}
            onClick={(event) => {
              event.preventDefault();
              document.getElementById(`event-${item.event_id}`)?.focus();
            }}>{item.event_id}</a></p>}
        </li>
      ))}
    </ol>
  );
}

function RevealForm({ onReveal }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!open) {
    return <button type="button" class="secondary" onClick={() => setOpen(true)}>Reveal IMEIs…</button>;
  }
  return (
    <form class="actions" onSubmit={(event) => {
      event.preventDefault();
      if (reason.trim()) onReveal(reason.trim());
    }}>
      <label for="reveal-reason">Why do you need the whole IMEIs? (recorded in the audit trail)</label>
      <div class="inline">
        <input id="reveal-reason" required maxLength={500} value={reason}
          onInput={(event) => setReason(event.currentTarget.value)} />
        <button type="submit">Reveal</button>
      </div>
    </form>
  );
}

function Devices({ parcel, revealed, onReveal }) {
  const orders = ordersByDevice(parcel.orders);
  return (
    <>
      {!revealed && <RevealForm onReveal={onReveal} />}
      {revealed && <p class="message" role="status">IMEIs revealed; the reveal is in the audit trail.</p>}
      {parcel.devices.map((device) => (
        <div class="device" key={device.device_id}>
          <h3>
            {device.model || 'Device'} <code class="imei">{device.imei}</code>
            {device.imei2 && <> / <code class="imei">{device.imei2}</code></>}
          </h3>
          <p>
            State <Badge kind={device.state}>{humanize(device.state)}</Badge> since{' '}
            {formatTime(device.state_since)}{device.value_sek ? `, value ${formatSek(device.value_sek)}` : ''}
            {!device.imei_masked && <> — <a href={`#/devices/${device.imei}`}>full lock history</a></>}
          </p>
          <LockOrders orders={orders.get(device.device_id) || []} />
        </div>
      ))}
    </>
  );
}

function Steps({ steps }) {
  if (!steps?.length) return <p>No steps yet.</p>;
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li key={step.sequence}>
          <time dateTime={step.at}>{formatTime(step.at)}</time> {humanize(step.action)}
          {step.actor && <> by <code>{step.actor}</code></>}
          {step.detail?.reason && <> — “{step.detail.reason}”</>}
        </li>
      ))}
    </ol>
  );
}
