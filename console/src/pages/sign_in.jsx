import { useState } from 'preact/hooks';
import { apiGet, storeKey } from '../api.js';
import { ErrorMessage, PageHeading } from '../components.jsx';

// Signs in with an API key: the key is tried on the case queue, which only security officers,
// police and administrators may read, and kept for this browser tab only.
export function SignIn({ onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await apiGet('/v1/cases?limit=1', { key: key.trim() });
      storeKey(key.trim());
      onSignedIn(key.trim());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <PageHeading id="sign-in-title">Sign in</PageHeading>
      <p>
        For security officers and police. Use the API key your administrator created for you
        (<code>imeiguard keys create --role security_officer</code> or <code>--role police</code>).
        The key is kept only in this browser tab and forgotten when it closes.
      </p>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <ErrorMessage error={error} />
      <p>
        Checking a phone before you buy it? Use the <a href="/console/check/">public check</a>;
        it needs no key.
      </p>
    </section>
  );
}
