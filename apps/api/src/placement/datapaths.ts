import { DATAPATH_REGISTRY, DATAPATHS_BY_RANK, NETWORK_KINDS } from '@netpin/contracts';
import type { DatapathInfo } from './datapath.model';

/** The datapath registry as the API shows it, fastest first. */
export function datapathInfos(): DatapathInfo[] {
  return DATAPATHS_BY_RANK.map((d) => {
    const def = DATAPATH_REGISTRY[d];
    return {
      datapath: d,
      rank: def.rank,
      auto: def.auto,
      label: def.ui.label,
      help: def.ui.help,
      cliAliases: [...def.cli.aliases],
      networkKinds: NETWORK_KINDS.filter((k) => def.connections[k] !== undefined),
      guestNeeds: [...def.guest],
      hostCapabilities: def.host.map((n) => n.capability),
      liveMigration: def.liveMigration.kind,
    };
  });
}
