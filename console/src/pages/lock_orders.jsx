import { Badge } from '../components.jsx';
import { formatTime, humanize } from '../format.js';

// A device's lock and unlock orders, one per connector and step, with the platform's
// acknowledgement: the time it confirmed the lock or unlock on the phone.
export function LockOrders({ orders }) {
  if (orders.length === 0) return <p class="muted">No lock orders for this device.</p>;
  return (
    <table class="stack orders">
      <caption class="visually-hidden">Lock orders</caption>
      <thead>
        <tr>
          <th scope="col">Order</th>
          <th scope="col">Connector</th>
          <th scope="col">Action</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col">Acknowledged by the platform</th>
          <th scope="col">Platform order</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.order_id}>
            <td data-label="Order">{order.order_id}</td>
            <td data-label="Connector">{order.connector}</td>
            <td data-label="Action">{humanize(order.action)}</td>
            <td data-label="Status">
              <Badge kind={order.status}>{humanize(order.status)}</Badge>
              {order.last_error && <span class="muted"> {order.last_error}</span>}
            </td>
            <td data-label="Created">{formatTime(order.created_at)}</td>
            <td data-label="Acknowledged by the platform">
              {order.acknowledged_at ? formatTime(order.acknowledged_at) : 'not yet'}
            </td>
            <td data-label="Platform order"><code>{order.platform_order_id || '—'}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// The steps of one order as the audit trail recorded them, oldest first.
export function OrderTransitions({ transitions }) {
  if (!transitions?.length) return null;
  return (
    <ol class="steps">
      {transitions.map((step) => (
        <li key={step.sequence}>
          <time dateTime={step.at}>{formatTime(step.at)}</time> {humanize(step.action)}
          {step.status && <> → {humanize(step.status)}</>}
          {step.actor && <> by <code>{step.actor}</code></>}
          {step.error && <span class="muted"> ({step.error})</span>}
        </li>
      ))}
    </ol>
  );
}
