import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import {
  CapacityDocument,
  ConfigureSriovDocument,
  CreateGroupDocument,
  CreateNetworkDocument,
  CreateVmDocument,
  DeleteGroupDocument,
  DeleteVmDocument,
  DiscoverHostDocument,
  DrainHostDocument,
  ExplainPlacementDocument,
  FleetDocument,
  GroupsDocument,
  HostDocument,
  NetworksDocument,
  OperationDocument,
  OperationListDocument,
  OperationResultDocument,
  OperationUpdatedDocument,
  PreviewPlacementDocument,
  RebootVmDocument,
  MigrateVmDocument,
  PreviewMigrationDocument,
  AttachInterfaceDocument,
  DetachInterfaceDocument,
  RegisterHostDocument,
  StartVmDocument,
  StopVmDocument,
  UndrainHostDocument,
  UpdateHostDocument,
  UpdateNetworkDocument,
  VmDocument,
  VmListDocument,
  type CapacityQuery,
  type CreateGroupInput,
  type CreateNetworkInput,
  type UpdateNetworkInput,
  type GroupFieldsFragment,
  type CreateVmMutation,
  type ExplainPlacementQuery,
  type FleetQuery,
  type HostFilterInput,
  type HostTopologyFieldsFragment,
  type OperationListQuery,
  type NetworkFieldsFragment,
  type OperationState,
  type PreviewPlacementQuery,
  type RegisterHostInput,
  type StopVmInput,
  type MigrateVmInput,
  type PreviewMigrationQuery,
  type DetachInterfaceInput,
  type VmInterfaceInput,
  type DrainHostInput,
  type UpdateHostInput,
  type VmFieldsFragment,
  type VmFilterInput,
  type VmInput,
  type VmListQuery,
} from './generated/graphql';
import { NetpinApiError, NetpinError, type Operation, type RawGraphQLError } from './errors';
import { waitForOperation, type WaitOptions } from './wait';

/** A generated document (documentMode "string"): the query text plus its result and variable types. */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/** Variables are optional only for documents that declare none. */
type RequestArgs<V> = Record<string, never> extends V ? [variables?: V, opts?: RequestOptions] : [variables: V, opts?: RequestOptions];

export type Host = HostTopologyFieldsFragment;
export type HostSummary = FleetQuery['hosts']['nodes'][number];
export type Network = NetworkFieldsFragment;
export type Group = GroupFieldsFragment;
export type Vm = VmFieldsFragment;
export type PlacementPreview = PreviewPlacementQuery['previewPlacement'];
export type HostExplanation = ExplainPlacementQuery['explainPlacement'];
export type CapacityReport = CapacityQuery['capacity'];
export type CreatedVm = CreateVmMutation['createVm'];
export type OperationPage = OperationListQuery['operations'];
export type VmPage = VmListQuery['vms'];

export interface OperationFilter {
  state?: OperationState;
  kind?: string;
  targetId?: string;
}

export interface NetpinClientOptions {
  /** API base URL (http://127.0.0.1:3000) or its GraphQL endpoint (.../graphql). */
  url: string;
  /** Bearer token (`createApiToken`, or the bootstrap admin token). */
  token?: string;
  /** fetch to use; defaults to the global one (browsers, Node >= 18). Tests pass a stub. */
  fetch?: typeof fetch;
  /**
   * WebSocket constructor for the `operationUpdated` subscription. Browsers (and Node >= 22)
   * need nothing; Node 20 passes the `ws` package's default export. Without one,
   * waitForOperation polls.
   */
  webSocketImpl?: unknown;
  /** Extra headers on every HTTP request. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * Typed client of the netpin API for orchestration tools, the `netpin` CLI and scripts.
 * Every method is one generated GraphQL document; errors are NetpinApiError (API refusals),
 * OperationFailedError and OperationTimeoutError (waitForOperation).
 */
export class NetpinClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly webSocketImpl: unknown;
  private readonly headers: Record<string, string>;
  private ws: WsClient | null = null;

  constructor(opts: NetpinClientOptions) {
    const base = opts.url.replace(/\/+$/, '');
    this.endpoint = /\/graphql$/.test(base) ? base : `${base}/graphql`;
    this.token = opts.token || undefined;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.webSocketImpl = opts.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    this.headers = opts.headers ?? {};
  }

  /** Run any generated document (or a raw query string, untyped). */
  async request<TResult, TVariables>(doc: TypedDocument<TResult, TVariables> | string, ...args: RequestArgs<TVariables>): Promise<TResult> {
    const [variables, opts] = args as [TVariables | undefined, RequestOptions | undefined];
    let res: Response;
    try {
      res = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.authHeader(), ...this.headers },
        body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
        signal: opts?.signal,
      });
    } catch (err) {
      if (opts?.signal?.aborted) throw opts.signal.reason ?? err;
      throw new NetpinApiError(`cannot reach the API at ${this.endpoint}: ${describe(err)}`, { code: 'UNREACHABLE' });
    }
    const text = await res.text();
    let body: { data?: unknown; errors?: RawGraphQLError[]; code?: unknown; message?: unknown; field?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new NetpinApiError(`the API answered HTTP ${res.status} without JSON: ${text.slice(0, 200)}`, {
        code: 'BAD_RESPONSE',
        status: res.status,
      });
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) throw NetpinApiError.fromGraphQLErrors(body.errors, res.status);
    if (body.data === undefined || body.data === null) {
      // guards in front of GraphQL (rate limiter, body limit) answer with the REST error shape
      const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
      const message = typeof body.message === 'string' ? body.message : `the API answered HTTP ${res.status} without data`;
      throw new NetpinApiError(message, { code, status: res.status, field: typeof body.field === 'string' ? body.field : undefined });
    }
    return body.data as TResult;
  }

  // --- hosts -------------------------------------------------------------------------

  async registerHost(input: RegisterHostInput): Promise<Host> {
    return (await this.request(RegisterHostDocument, { input })).registerHost;
  }

  async updateHost(id: string, input: UpdateHostInput): Promise<Host> {
    return (await this.request(UpdateHostDocument, { id, input })).updateHost;
  }

  /** Queue discovery (SSH read of NUMA, CPUs, NICs, IRQs, VFs); wait with waitForOperation. */
  async discoverHost(hostId: string): Promise<Operation> {
    return (await this.request(DiscoverHostDocument, { id: hostId })).discoverHost;
  }

  /** One host with its full topology, by id or name. */
  async getHost(ref: { id: string } | { name: string }): Promise<Host> {
    return (await this.request(HostDocument, 'id' in ref ? { id: ref.id } : { name: ref.name })).host;
  }

  /** Every host (following the cursor pages), ordered by name. */
  async listHosts(opts: { filter?: HostFilterInput; pageSize?: number; signal?: AbortSignal } = {}): Promise<HostSummary[]> {
    const out: HostSummary[] = [];
    let after: string | null = null;
    for (;;) {
      const { hosts }: FleetQuery = await this.request(
        FleetDocument,
        { first: opts.pageSize ?? 100, after, filter: opts.filter },
        { signal: opts.signal },
      );
      out.push(...hosts.nodes);
      if (!hosts.pageInfo.hasNextPage || !hosts.pageInfo.endCursor) return out;
      after = hosts.pageInfo.endCursor;
    }
  }

  async configureSriov(hostId: string, nic: string, numVfs: number): Promise<Operation> {
    return (await this.request(ConfigureSriovDocument, { id: hostId, nic, numVfs })).configureSriov;
  }

  // --- networks ----------------------------------------------------------------------

  async networks(): Promise<Network[]> {
    return (await this.request(NetworksDocument)).networks;
  }

  async createNetwork(input: CreateNetworkInput): Promise<Network> {
    return (await this.request(CreateNetworkDocument, { input })).createNetwork;
  }

  async updateNetwork(input: UpdateNetworkInput): Promise<Network> {
    return (await this.request(UpdateNetworkDocument, { input })).updateNetwork;
  }

  // --- affinity groups ---------------------------------------------------------------

  async groups(): Promise<Group[]> {
    return (await this.request(GroupsDocument)).groups;
  }

  async createGroup(input: CreateGroupInput): Promise<Group> {
    return (await this.request(CreateGroupDocument, { input })).createGroup;
  }

  /** By name or id; CONFLICT (reason GROUP_HAS_MEMBERS) while VMs that are not DELETED belong to it. */
  async deleteGroup(ref: string): Promise<Group> {
    return (await this.request(DeleteGroupDocument, { ref })).deleteGroup;
  }

  // --- VMs and placement -------------------------------------------------------------

  /**
   * Place and provision a VM. With an idempotency key a retry of the same input returns
   * the same VM and operation (safe after a timeout); different input with the key is CONFLICT.
   * Resolves once the request is accepted: wait for `operation` to see it RUNNING.
   */
  async createVm(input: VmInput, opts: { idempotencyKey?: string } = {}): Promise<CreatedVm> {
    return (await this.request(CreateVmDocument, { input, idempotencyKey: opts.idempotencyKey })).createVm;
  }

  /**
   * Queue the VM's teardown; resolves with the vm.delete operation. `force`: in any state
   * (vm.forceDelete; an UNREACHABLE host is released in the database only).
   */
  async deleteVm(id: string, opts: { force?: boolean } = {}): Promise<Operation> {
    return (await this.request(DeleteVmDocument, { id, force: opts.force ?? false })).deleteVm;
  }

  /**
   * Start a STOPPED VM: where it is when it kept its allocations, placed anew (PLACEMENT_REJECTED
   * when nothing fits) when it gave them back; resolves with the vm.start operation.
   */
  async startVm(id: string): Promise<Operation> {
    return (await this.request(StartVmDocument, { id })).startVm;
  }

  /**
   * Shut a RUNNING VM down: ACPI first, forced after `timeoutSeconds` (default 60). It keeps its
   * CPUs, VFs and host settings unless `release` is true; resolves with the vm.stop operation.
   */
  async stopVm(id: string, input: StopVmInput = {}): Promise<Operation> {
    return (await this.request(StopVmDocument, { id, input })).stopVm;
  }

  /**
   * Put a host in maintenance and move its VMs away (or stop them); resolves with the
   * host.drain operation, whose resultJson holds each VM's outcome (contracts drainResultSchema).
   */
  async drainHost(hostId: string, input: DrainHostInput = {}): Promise<Operation> {
    return (await this.request(DrainHostDocument, { id: hostId, input })).drainHost;
  }

  /** An operation's result as JSON text (a drain's per-VM outcomes, a discovery's facts), null while it has none. */
  async operationResult(id: string): Promise<string | null> {
    return (await this.request(OperationResultDocument, { id })).operation.resultJson ?? null;
  }

  /** End a running drain and take the host out of maintenance. */
  async undrainHost(hostId: string): Promise<{ id: string; name: string; state: string }> {
    return (await this.request(UndrainHostDocument, { id: hostId })).undrainHost;
  }

  /** Reboot a RUNNING VM through ACPI; resolves with the vm.reboot operation. */
  async rebootVm(id: string): Promise<Operation> {
    return (await this.request(RebootVmDocument, { id })).rebootVm;
  }

  /**
   * Move a RUNNING VM to another host (`targetHost`, else placement's choice), LIVE (default)
   * or COLD; resolves with the vm.migrate operation, whose steps (reserve, unplug|stop,
   * transfer, plug|start, verify, release) arrive as its progress.
   */
  async migrateVm(id: string, input: MigrateVmInput = {}): Promise<Operation> {
    return (await this.request(MigrateVmDocument, { id, input })).migrateVm;
  }

  /** Where migrateVm would take the VM and why, or why it cannot move; changes nothing. */
  async previewMigration(vmId: string, input: MigrateVmInput = {}): Promise<PreviewMigrationQuery['previewMigration']> {
    return (await this.request(PreviewMigrationDocument, { vmId, input })).previewMigration;
  }

  /**
   * Hot-plug a NIC into a RUNNING VM (or a STOPPED one that kept its host), placed on the VM's
   * host by the rules of a create; resolves with the vm.attachInterface operation.
   */
  async attachInterface(vmId: string, input: VmInterfaceInput): Promise<Operation> {
    return (await this.request(AttachInterfaceDocument, { vmId, input })).attachInterface;
  }

  /** Unplug a NIC (`Vm.interfaces[].id`); the guest must release it within `timeoutSeconds` (default 30). */
  async detachInterface(vmId: string, interfaceId: string, input: DetachInterfaceInput = {}): Promise<Operation> {
    return (await this.request(DetachInterfaceDocument, { vmId, interfaceId, input })).detachInterface;
  }

  async getVm(id: string): Promise<Vm> {
    return (await this.request(VmDocument, { id })).vm;
  }

  /** Every VM the filter matches (following the cursor pages), oldest first; DELETED ones only when the filter asks. */
  async listVms(filter: VmFilterInput = {}, opts: { pageSize?: number; signal?: AbortSignal } = {}): Promise<Vm[]> {
    const out: Vm[] = [];
    let after: string | null = null;
    for (;;) {
      const page: VmPage = await this.vmPage(filter, { first: opts.pageSize ?? 100, after }, { signal: opts.signal });
      out.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
      after = page.pageInfo.endCursor;
    }
  }

  /** One page of VMs: `nodes`, `pageInfo.endCursor` to pass as `after`, `totalCount`. */
  async vmPage(
    filter: VmFilterInput = {},
    page: { first?: number; after?: string | null } = {},
    opts: RequestOptions = {},
  ): Promise<VmPage> {
    return (await this.request(VmListDocument, { filter, first: page.first, after: page.after }, opts)).vms;
  }

  /**
   * A VM by id, or else by name (the newest one not DELETED when several share it).
   * Throws NetpinApiError NOT_FOUND when neither matches.
   */
  async findVm(idOrName: string): Promise<Vm> {
    try {
      return await this.getVm(idOrName);
    } catch (e) {
      if (!(e instanceof NetpinApiError) || (e.code !== 'NOT_FOUND' && e.code !== 'BAD_USER_INPUT')) throw e;
    }
    const byName = await this.listVms({ name: idOrName, includeDeleted: true });
    const live = byName.filter((v) => v.state !== 'DELETED');
    const pick = (live.length > 0 ? live : byName).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!pick) throw new NetpinApiError(`vm ${idOrName} not found`, { code: 'NOT_FOUND', status: 404 });
    return pick;
  }

  /** Where the VM would go and how, or why nothing fits. Writes nothing. */
  async previewPlacement(input: VmInput): Promise<PlacementPreview> {
    return (await this.request(PreviewPlacementDocument, { input })).previewPlacement;
  }

  /** Every reason one host (name or id) does or does not fit the request. */
  async explainPlacement(input: VmInput, host: string): Promise<HostExplanation> {
    return (await this.request(ExplainPlacementDocument, { input, host })).explainPlacement;
  }

  /** How many more VMs of this shape fit, fleet-wide and per host. */
  async capacity(input: VmInput): Promise<CapacityReport> {
    return (await this.request(CapacityDocument, { input })).capacity;
  }

  // --- operations --------------------------------------------------------------------

  async operation(id: string, opts: RequestOptions = {}): Promise<Operation> {
    return (await this.request(OperationDocument, { id }, opts)).operation;
  }

  /** The newest `first` (default 50, at most 500) operations the filter matches, newest first. */
  async operations(filter: OperationFilter & { first?: number } = {}): Promise<Operation[]> {
    return (await this.operationPage(filter, { first: filter.first })).nodes;
  }

  /** One page of operations, newest first: pass `pageInfo.endCursor` as `after` for older ones. */
  async operationPage(filter: OperationFilter = {}, page: { first?: number; after?: string | null } = {}): Promise<OperationPage> {
    const vars = { state: filter.state, kind: filter.kind, targetId: filter.targetId, first: page.first, after: page.after };
    return (await this.request(OperationListDocument, vars)).operations;
  }

  /**
   * Resolve with the operation once it SUCCEEDED; reject with OperationFailedError (code,
   * message, stderr) when it FAILED, OperationTimeoutError after `timeoutMs`, or the
   * signal's reason when aborted. Progress comes from the `operationUpdated` subscription
   * when a WebSocket is available, with polling as a backstop (and as the only source
   * without one); `onProgress` sees every change, in order, never going backwards.
   */
  waitForOperation(id: string, opts: WaitOptions = {}): Promise<Operation> {
    return waitForOperation(
      {
        poll: (signal) => this.operation(id, { signal }),
        subscribe: this.webSocketImpl
          ? (sink) => {
              const ws = this.socket();
              const offConnected = ws.on('connected', () => sink.connected());
              const off = ws.subscribe(
                { query: OperationUpdatedDocument.toString(), variables: { id } },
                {
                  next: (msg) => {
                    if (msg.errors?.length) sink.error(NetpinApiError.fromGraphQLErrors(msg.errors as RawGraphQLError[]));
                    else if (msg.data) sink.next((msg.data as { operationUpdated: Operation }).operationUpdated);
                  },
                  error: (err) =>
                    sink.error(
                      err instanceof Error ? err : new NetpinError(`subscription closed: ${describe(err)}`, 'SUBSCRIPTION_CLOSED'),
                    ),
                  complete: () => sink.error(new NetpinError('subscription completed', 'SUBSCRIPTION_CLOSED')),
                },
              );
              return () => {
                offConnected();
                off();
              };
            }
          : undefined,
      },
      id,
      opts,
    );
  }

  /** Close the subscription socket (lets a Node process exit). */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    await ws?.dispose();
  }

  private authHeader(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  private socket(): WsClient {
    if (this.ws) return this.ws;
    const url = new URL(this.endpoint);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = createClient({
      url: url.toString(),
      webSocketImpl: this.webSocketImpl,
      lazy: true,
      retryAttempts: 3,
      connectionParams: () => this.authHeader(),
    });
    return this.ws;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  if (typeof err === 'object' && err !== null && 'reason' in err) return String((err as { reason: unknown }).reason) || 'connection closed';
  return String(err);
}
