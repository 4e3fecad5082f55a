import { Badge } from '../components.jsx';
import {
  formatDuration, formatTime, humanize, isLateUpload, proofOfDelivery, recordDelaySeconds,
  recordTime, weightDifference,
} from '../format.js';

// The parcel's scans in event-time order: when each happened, when it was recorded (late uploads
// stand out), where, by whom, what it weighed and how a delivery was proven.
export function Timeline({ parcel, timeline }) {
  const events = timeline?.events || [...(parcel.events || [])].sort(
    (a, b) => Date.parse(a.time) - Date.parse(b.time));
  const declared = timeline?.declared_weight_g ?? parcel.declared_weight_g;
  const lateAfter = timeline?.late_after_seconds;
  if (events.length === 0) return <p>No scans of this parcel are stored.</p>;
  const lateCount = events.filter((event) => isLateUpload(event, lateAfter)).length;
  return (
    <>
      <p class="lead">
        Declared weight {declared ? `${declared} g` : 'not given'}.{' '}
        {lateCount > 0
          ? `${lateCount} of ${events.length} scans were uploaded late (marked “late upload”).`
          : 'Every scan was uploaded on time.'}
      </p>
      <table class="stack timeline">
        <caption class="visually-hidden">Scans of parcel {parcel.parcel_id}</caption>
        <thead>
          <tr>
            <th scope="col">Event time</th>
            <th scope="col">Record time</th>
            <th scope="col">Scan</th>
            <th scope="col">Node</th>
            <th scope="col">Handler</th>
            <th scope="col">Weight</th>
            <th scope="col">Proof of delivery</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => <TimelineRow key={event.event_id} event={event}
            declared={declared} late={isLateUpload(event, lateAfter)} />)}
        </tbody>
      </table>
    </>
  );
}

function TimelineRow({ event, declared, late }) {
  const difference = weightDifference(event, declared);
  const proof = proofOfDelivery(event);
  return (
    <tr id={`event-${event.event_id}`} tabIndex={-1} class={late ? 'late' : ''}>
      <td data-label="Event time"><time dateTime={event.time}>{formatTime(event.time)}</time></td>
      <td data-label="Record time">
        <time dateTime={recordTime(event)}>{formatTime(recordTime(event))}</time>
        {late && <> <Badge kind="late">late upload</Badge></>}
        <span class="muted delay"> +{formatDuration(recordDelaySeconds(event))}</span>
      </td>
      <td data-label="Scan">
        {humanize(event.type)}
        {event.detail && <span class="muted"> — {event.detail}</span>}
      </td>
      <td data-label="Node">{event.node || '—'}{event.node_type && <span class="muted"> ({humanize(event.node_type)})</span>}</td>
      <td data-label="Handler">{event.handler || '—'}</td>
      <td data-label="Weight">
        {event.weight_g !== undefined && event.weight_g !== null ? (
          <>
            {event.weight_g} g
            {declared ? <span class="muted"> of {declared} g declared</span> : null}
            {difference !== null && difference < 0 && <> <Badge kind="light">{difference} g</Badge></>}
          </>
        ) : '—'}
      </td>
      <td data-label="Proof of delivery">
        {proof ? <>{humanize(proof.kind)} <Badge kind={proof.strength === 'strong' ? 'strong' : 'weak'}>{proof.strength}</Badge></> : '—'}
      </td>
    </tr>
  );
}
