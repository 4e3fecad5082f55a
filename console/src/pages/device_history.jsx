import { useState } from 'preact/hooks';
import { apiGet, queryString } from '../api.js';
import { Badge, ErrorMessage, Loading, useLoad, PageHeading } from '../components.jsx';
import { formatTime, humanize } from '../format.js';
import { LockOrders, OrderTransitions } from './lock_orders.jsx';

// A device's lock history by IMEI: every order per connector with the platform's steps. The IMEI
// typed here is the officer's own; the response shows it masked unless they reveal it.
export function DeviceHistory({ imei }) {
  const [text, setText] = useState(imei);
  return (
    <section aria-labelledby="device-title">
      <PageHeading id="device-title">Device lock history</PageHeading>
      <form class="actions" onSubmit={(event) => {
        event.preventDefault();
        location.hash = `#/devices/${encodeURIComponent(text.trim())}`;
      }}>
        <label for="device-imei">IMEI (15 digits, or the 14-digit network form)</label>
        <div class="inline">
          <input id="device-imei" inputMode="numeric" autoComplete="off" required value={text}
            onInput={(event) => setText(event.currentTarget.value)} />
          <button type="submit">Show history</button>
        </div>
      </form>
      {imei && <History imei={imei} />}
    </section>
  );
}

function History({ imei }) {
  const { data, error, loading } = useLoad(
    () => apiGet(`/v1/devices/${encodeURIComponent(imei)}/orders${queryString({})}`), [imei]);
  if (loading) return <Loading what="the lock history" />;
  if (error) return <ErrorMessage error={error} />;
  return data.body.devices.map(({ device, orders }) => (
    <div class="device" key={device.device_id}>
      <h2>{device.model || 'Device'} <code class="imei">{device.imei}</code></h2>
      <p>
        Parcel <code>{device.parcel_id}</code>, state <Badge kind={device.state}>{humanize(device.state)}</Badge>{' '}
        since {formatTime(device.state_since)}
      </p>
      <LockOrders orders={orders.map((history) => history.order)} />
      {orders.map((history) => (
        <details key={history.order.order_id}>
          <summary>Steps of order {history.order.order_id} ({humanize(history.order.action)} via {history.order.connector})</summary>
          <OrderTransitions transitions={history.transitions} />
        </details>
      ))}
    </div>
  ));
}
