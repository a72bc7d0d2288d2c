// Test files share a worker and its module cache (isolate: false in vitest.shared.ts): each
// file starts from the environment the worker started with, whatever the file before it set
// (a reaper interval, TZ, a token), so no file depends on the order files run in.
const globals = globalThis as { netpinWorkerEnv?: NodeJS.ProcessEnv };
globals.netpinWorkerEnv ??= { ...process.env };
for (const k of Object.keys(process.env)) if (!(k in globals.netpinWorkerEnv)) delete process.env[k];
Object.assign(process.env, globals.netpinWorkerEnv);
