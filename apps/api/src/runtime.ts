/** How much of the app runs: schema generation needs the module graph but no workers. */
export interface AppRuntimeOptions {
  /** Start the outbox relay, result consumer and progress listener (default true). */
  background: boolean;
}

export const APP_OPTIONS = Symbol('APP_OPTIONS');
