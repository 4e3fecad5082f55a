import { useEffect, useState } from 'preact/hooks';
import { forgetKey, storedKey } from './api.js';
import { parseRoute } from './format.js';
import { focusPageHeading, Loading, PageHeading } from './components.jsx';
import { SignIn } from './pages/sign_in.jsx';
import { CaseQueue } from './pages/case_queue.jsx';
import { CaseDetail } from './pages/case_detail.jsx';
import { DeviceHistory } from './pages/device_history.jsx';

function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

const NAV = [
  ['cases', '#/cases', 'Case queue'],
  ['hotspots', '#/hotspots', 'Hotspots'],
  ['device', '#/devices', 'Device lookup'],
];

function Navigation({ route, onSignOut }) {
  const current = route.page === 'case' ? 'cases' : route.page;
  return (
    <nav aria-label="Console">
      <ul class="nav-list">
        {NAV.map(([page, href, label]) => (
          <li key={page}>
            <a href={href} aria-current={current === page ? 'page' : undefined}>{label}</a>
          </li>
        ))}
        <li><a href="/console/check/">Public check</a></li>
        <li><button type="button" class="link-button" onClick={onSignOut}>Sign out</button></li>
      </ul>
    </nav>
  );
}

// The hotspots page with its chart library, loaded only when opened: most visits never need it.
function LazyHotspots({ dimension }) {
  const [page, setPage] = useState(null);
  useEffect(() => {
    import('./pages/hotspots.jsx').then((module) => setPage(() => module.Hotspots));
  }, []);
  if (!page) return <Loading what="the hotspots page" />;
  const Hotspots = page;
  return <Hotspots dimension={dimension} />;
}

function Page({ route }) {
  switch (route.page) {
    case 'cases':
      return <CaseQueue />;
    case 'case':
      return <CaseDetail caseId={route.id} />;
    case 'device':
      return <DeviceHistory imei={route.id} />;
    case 'hotspots':
      return <LazyHotspots dimension={route.dimension} />;
    default:
      return <PageHeading>Page not found</PageHeading>;
  }
}

export function App() {
  const [key, setKey] = useState(storedKey());
  const route = useRoute();

  // A new page moves the focus to its heading, not the link it came from.
  useEffect(() => {
    focusPageHeading();
  }, [route.page, route.id, key]);

  const signOut = () => {
    forgetKey();
    setKey('');
  };

  return (
    <>
      <a class="skip-link" href="#main">Skip to main content</a>
      <header class="site-header">
        <p class="brand">imeiguard <span>console</span></p>
        {key && <Navigation route={route} onSignOut={signOut} />}
      </header>
      <main id="main" tabIndex={-1}>
        {key ? <Page route={route} /> : <SignIn onSignedIn={setKey} />}
      </main>
      <footer class="site-footer">
        <p>IMEIs are masked until you reveal them; every reveal is recorded in the audit trail.</p>
      </footer>
    </>
  );
}
