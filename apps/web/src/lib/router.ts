import { useEffect, useState } from 'react';

/**
 * Hash routing: the API server can serve dist/ as static files with no rewrite rules,
 * and a reload on any page keeps working.
 */
export type Route =
  | { page: 'signin' }
  | { page: 'fleet' }
  | { page: 'host'; name: string }
  | { page: 'vms' }
  | { page: 'vm-new' }
  | { page: 'operations' }
  | { page: 'operation'; id: string }
  | { page: 'networks' }
  | { page: 'groups' }
  | { page: 'sriov' }
  | { page: 'admin'; tab: AdminTab; tokenId?: string }
  | { page: 'not-found'; path: string };

export const ADMIN_TABS = ['tokens', 'ssh-secrets', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

/** #/admin/tokens, #/admin/ssh-secrets, #/admin/audit and #/admin/audit/<token id> (that token's actions). */
function adminRoute(parts: string[], path: string): Route {
  const tab = parts[1] ?? 'tokens';
  if (!(ADMIN_TABS as readonly string[]).includes(tab)) return { page: 'not-found', path };
  return tab === 'audit' && parts[2] ? { page: 'admin', tab, tokenId: parts[2] } : { page: 'admin', tab: tab as AdminTab };
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/fleet';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  switch (head) {
    case 'signin':
      return { page: 'signin' };
    case 'fleet':
      return { page: 'fleet' };
    case 'hosts':
      return arg ? { page: 'host', name: arg } : { page: 'fleet' };
    case 'vms':
      return arg === 'new' ? { page: 'vm-new' } : { page: 'vms' };
    case 'operations':
      return arg ? { page: 'operation', id: arg } : { page: 'operations' };
    case 'networks':
      return { page: 'networks' };
    case 'groups':
      return { page: 'groups' };
    case 'sriov-policies':
      return { page: 'sriov' };
    case 'admin':
      return adminRoute(parts, path);
    default:
      return { page: 'not-found', path };
  }
}

export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

export function navigate(to: string): void {
  window.location.hash = to.startsWith('#') ? to.slice(1) : to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
