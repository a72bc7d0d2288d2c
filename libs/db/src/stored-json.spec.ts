import { describe, expect, it } from 'vitest';
import { StoredDataError, stored } from './stored-json';

describe('stored JSON is parsed where it is read', () => {
  it('names the row and the field when a stored plan does not match its schema', () => {
    expect(() => stored.plan({ vmId: 'x', numaNodes: [] }, 'vm-1')).toThrow(StoredDataError);
    expect(() => stored.plan({ vmId: 'x' }, 'vm-1')).toThrow(/plan of vm vm-1 does not match its schema: \w+/);
    expect(stored.plan(null, 'vm-1')).toBeNull();
  });

  it('reads labels, steps and hugepages through their schemas, defaulting empty columns', () => {
    expect(stored.labels({ rack: 'r1' }, 'host a')).toEqual({ rack: 'r1' });
    expect(() => stored.labels({ rack: 1 }, 'host a')).toThrow(/labels of host a.*rack/);
    expect(stored.steps(null, 'op')).toEqual([]);
    const step = { name: 'define domain', state: 'SUCCEEDED', startedAt: 'a', finishedAt: 'b' };
    expect(stored.steps([step], 'op')).toEqual([step]);
    expect(() => stored.steps([{ name: 'x', state: 'DONE' }], 'op')).toThrow(/steps of operation op/);
    expect(stored.hugepages([{ sizeKiB: 2048, total: 8, free: 8 }], 'node 0')).toEqual([{ sizeKiB: 2048, total: 8, free: 8 }]);
  });

  it('reads a job payload through the schema of its job name', () => {
    expect(() => stored.jobPayload('vm.nope', {}, 'op-1')).toThrow(/unknown job name vm.nope/);
    expect(() => stored.jobPayload('host.discover', { operationId: 'not-a-uuid' }, 'op-1')).toThrow(
      /host.discover payload of operation op-1/,
    );
  });
});
