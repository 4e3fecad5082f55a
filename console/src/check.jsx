// The public check: is this IMEI reported stolen? No key, and the response is blocked or not blocked, nothing more.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { apiGet } from './api.js';
import './style.css';

function CheckPage() {
  const [imei, setImei] = useState('');
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setAnswer(null);
    try {
      const response = await apiGet(`/v1/check/${encodeURIComponent(imei.trim())}`, { key: '' });
      setAnswer({ status: response.body.status });
    } catch (error) {
      setAnswer({ error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <a class="skip-link" href="#main">Skip to main content</a>
      <header class="site-header">
        <p class="brand">imeiguard <span>public check</span></p>
      </header>
      <main id="main" tabIndex={-1} class="check">
        <h1>Is this phone reported stolen?</h1>
        <p class="lead">
          Before you buy a used phone, enter its IMEI. Dial <code>*#06#</code> on the phone to see
          it, or look on the box or in the settings.
        </p>
        <form onSubmit={submit}>
          <label for="imei">IMEI</label>
          <input id="imei" name="imei" inputMode="numeric" autoComplete="off" required
            aria-describedby="imei-help" value={imei}
            onInput={(event) => setImei(event.currentTarget.value)} />
          <p id="imei-help" class="muted">15 digits; spaces and dashes are fine.</p>
          <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Check'}</button>
        </form>
        <div aria-live="polite">{answer && <Answer answer={answer} />}</div>
        <section aria-labelledby="advice-title">
          <h2 id="advice-title">Whatever the answer</h2>
          <ul>
            <li>Ask the seller for ID and the receipt.</li>
            <li>Switch the phone on and check that it works before you pay.</li>
          </ul>
        </section>
      </main>
      <footer class="site-footer">
        <p>The check says only whether the phone is blocked. <a href="/console/">Staff sign-in</a></p>
      </footer>
    </>
  );
}

function Answer({ answer }) {
  if (answer.error) {
    const { status, message } = answer.error;
    const text = status === 429 ? 'Too many checks from here; wait a minute and try again.'
      : status === 400 ? `That is not a valid IMEI: ${message}` : `The check failed: ${message}`;
    return <p class="message error" role="alert">{text}</p>;
  }
  if (answer.status === 'blocked') {
    return (
      <p class="verdict blocked" role="status">
        <strong>Blocked.</strong> This phone is reported stolen or missing. Do not buy it.
      </p>
    );
  }
  return (
    <p class="verdict not-blocked" role="status">
      <strong>Not blocked.</strong> This phone is not reported stolen or missing.
    </p>
  );
}

render(<CheckPage />, document.getElementById('app'));
