import type { CreateGroupInput } from '@netpin/client';
import { GROUP_ENFORCEMENTS, GROUP_POLICIES } from '@netpin/contracts/enums';
import { UsageError, parseCount, type FlagValues } from './args';
import { choice } from './vm-input';

/** The CreateGroupInput of `groups create <name>`; ranges and the maxPerHost rule are the API's to judge. */
export function groupInputFromFlags(name: string | undefined, values: FlagValues): CreateGroupInput {
  if (!name) throw new UsageError('groups create: a group name is required');
  const policy = choice('policy', values.policy, GROUP_POLICIES);
  if (!policy) throw new UsageError('--policy is required (affinity or anti-affinity)');
  const input: CreateGroupInput = { name, policy };
  const enforcement = choice('enforcement', values.enforcement, GROUP_ENFORCEMENTS);
  if (enforcement) input.enforcement = enforcement;
  const max = parseCount('max-per-host', values['max-per-host'] as string | undefined);
  if (max !== undefined) input.maxPerHost = max;
  return input;
}
