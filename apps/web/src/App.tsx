import { useState } from 'react';
import { readToken } from './lib/auth';
import { href, useRoute, type Route } from './lib/router';
import { AdminPage } from './pages/admin/AdminPage';
import { FleetPage } from './pages/FleetPage';
import { HostPage } from './pages/host/HostPage';
import { GroupsPage } from './pages/GroupsPage';
import { NetworksPage } from './pages/NetworksPage';
import { OperationDetailPage, OperationsPage } from './pages/OperationsPage';
import { SignInPage } from './pages/SignInPage';
import { SriovPoliciesPage } from './pages/SriovPoliciesPage';
import { VmsPage } from './pages/VmsPage';
import { CreateVmPage } from './wizard/CreateVmPage';

const NAV: { label: string; to: string; active: (r: Route) => boolean }[] = [
  { label: 'Fleet', to: href('fleet'), active: (r) => r.page === 'fleet' || r.page === 'host' },
  { label: 'VMs', to: href('vms'), active: (r) => r.page === 'vms' || r.page === 'vm-new' },
  { label: 'Operations', to: href('operations'), active: (r) => r.page === 'operations' || r.page === 'operation' },
  { label: 'Networks', to: href('networks'), active: (r) => r.page === 'networks' },
  { label: 'Groups', to: href('groups'), active: (r) => r.page === 'groups' },
  { label: 'SR-IOV', to: href('sriov-policies'), active: (r) => r.page === 'sriov' },
  { label: 'Admin', to: href('admin', 'tokens'), active: (r) => r.page === 'admin' },
];

function Page({ route, onAuthChange }: { route: Route; onAuthChange: () => void }) {
  switch (route.page) {
    case 'signin':
      return <SignInPage onChange={onAuthChange} />;
    case 'fleet':
      return <FleetPage />;
    case 'host':
      return <HostPage key={route.name} name={route.name} />;
    case 'vms':
      return <VmsPage />;
    case 'vm-new':
      return <CreateVmPage />;
    case 'operations':
      return <OperationsPage />;
    case 'operation':
      return <OperationDetailPage key={route.id} id={route.id} />;
    case 'networks':
      return <NetworksPage />;
    case 'groups':
      return <GroupsPage />;
    case 'sriov':
      return <SriovPoliciesPage />;
    case 'admin':
      return <AdminPage key={`${route.tab}/${route.tokenId ?? ''}`} tab={route.tab} tokenId={route.tokenId} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>. <a href={href('fleet')}>Back to the fleet</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  // Bumped on sign-in/out so every page remounts and refetches with the new token.
  const [authEpoch, setAuthEpoch] = useState(0);
  const signedIn = readToken() !== null;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('fleet')}>
          netpin
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <a href={n.to} aria-current={n.active(route) ? 'page' : undefined} data-testid={`nav-${n.label.toLowerCase()}`}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a className="signin-link" href={href('signin')} data-testid="nav-signin">
          {signedIn ? 'Token set' : 'Sign in'}
        </a>
      </header>
      <main id="main" tabIndex={-1} key={authEpoch}>
        <Page route={route} onAuthChange={() => setAuthEpoch((n) => n + 1)} />
      </main>
    </div>
  );
}
