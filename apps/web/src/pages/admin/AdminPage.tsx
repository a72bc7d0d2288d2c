import { href, type AdminTab } from '../../lib/router';
import { AuditPage } from './AuditPage';
import { SshSecretsPage } from './SshSecretsPage';
import { TokensPage } from './TokensPage';

const TABS: { tab: AdminTab; label: string }[] = [
  { tab: 'tokens', label: 'API tokens' },
  { tab: 'ssh-secrets', label: 'SSH secrets' },
  { tab: 'audit', label: 'Audit log' },
];

/** What admins manage besides the fleet: who may call the API, the keys hosts are reached with, and what was done. */
export function AdminPage({ tab, tokenId }: { tab: AdminTab; tokenId?: string }) {
  return (
    <>
      <nav aria-label="Admin" className="tabs">
        {TABS.map((t) => (
          <a key={t.tab} href={href('admin', t.tab)} aria-current={t.tab === tab ? 'page' : undefined} data-testid={`admin-tab-${t.tab}`}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'tokens' && <TokensPage />}
      {tab === 'ssh-secrets' && <SshSecretsPage />}
      {tab === 'audit' && <AuditPage tokenId={tokenId} />}
    </>
  );
}
