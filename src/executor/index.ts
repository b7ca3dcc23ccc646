/**
 * The executors, in one list: each kind and how to make one. A new executor (a remote host, a
 * cluster) is a module implementing `Executor` (and `ImageCapability` if it has images) and a line here.
 */
import type { Executor } from './types.js';

/** What making an executor may be told. */
export interface ExecutorOptions {
  /** the default image of its sandboxes (Docker) */
  readonly image?: string;
  /** the default CPU limit of its sandboxes (Docker) */
  readonly cpus?: number;
}

/** Every executor kind and its factory. */
export const EXECUTORS = {
  local: async (_o: ExecutorOptions): Promise<Executor> => {
    const { LocalExecutor } = await import('./local.js');
    return new LocalExecutor();
  },
  docker: async (o: ExecutorOptions): Promise<Executor> => {
    const { DockerExecutor } = await import('./docker.js');
    return DockerExecutor.create({ defaultImage: o.image, defaultCpus: o.cpus });
  },
} as const satisfies Record<Executor['kind'], (o: ExecutorOptions) => Promise<Executor>>;

/** An executor kind. */
export type ExecutorKind = keyof typeof EXECUTORS;

/** Makes an executor of `kind` (the Docker one fails when no engine answers). */
export function createExecutor(kind: ExecutorKind, o: ExecutorOptions = {}): Promise<Executor> {
  return EXECUTORS[kind](o);
}
