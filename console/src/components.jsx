// Small pieces that several pages share.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './format.js';

// Loads `load()` whenever `deps` change; returns {data, error, loading, reload}.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error) => current && setState({ data: null, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((value) => value + 1) };
}

export function ErrorMessage({ error }) {
  if (!error) return null;
  return (
    <div class="message error" role="alert">
      <strong>{error.status === 409 ? 'Not done: ' : 'Error: '}</strong>
      {describeError(error)}
      {error.reason && <span class="reason"> ({error.reason})</span>}
    </div>
  );
}

export function Loading({ what }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

export function Badge({ kind, children, title }) {
  return <span class={`badge badge-${kind}`} title={title}>{children}</span>;
}

// Whether the next page heading to render should take the focus: set on every change of page,
// so that keyboard and screen reader users start reading at the new page's heading.
let headingFocusPending = false;

export function focusPageHeading() {
  headingFocusPending = true;
  const heading = document.querySelector('main h1');
  if (heading) {
    heading.focus();
    headingFocusPending = false;
  }
}

// A page's h1. It takes the focus when a page change asked for it, and hands the claim on to
// the heading that replaces it (a page's loading heading gives way to its loaded one).
export function PageHeading({ id, children }) {
  const heading = useRef(null);
  useEffect(() => {
    if (headingFocusPending && heading.current) {
      heading.current.focus();
      headingFocusPending = false;
    }
    const element = heading.current;
    return () => {
      if (document.activeElement === element) headingFocusPending = true;
    };
  }, []);
  return <h1 id={id} tabIndex={-1} ref={heading}>{children}</h1>;
}
