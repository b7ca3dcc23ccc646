/**
 * Agents in containers (`--agent-sandbox docker`): the attempt runs in a Docker sandbox from the
 * agent image (the base image plus Node.js), with network mode none. The attempt's folder is mounted
 * read-write at its host path (workspace, HOME, logs), isobench's own files and the agent's pinned
 * install read-only, so adapters run unchanged. The only way out is the relay: inside, a listener on
 * the model API's port (its host name pointed at 127.0.0.1); outside, a Unix socket in the attempt
 * folder whose every connection goes to that one API host and port. TLS passes through end to end.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { DockerExecutor } from '../executor/docker.js';
import { ensureImage } from '../executor/images.js';
import type { Background, Sandbox } from '../executor/types.js';
import { InfraError } from '../executor/types.js';
import { readTextIfThere } from '../util/if-there.js';
import { packageRoot } from '../util/package-root.js';

/** The model API an agent talks to, by provider, when no base URL is given. */
export const DEFAULT_API: Readonly<Record<string, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
  google: 'https://generativelanguage.googleapis.com',
};

/** Builds (or finds) the agent image on `baseImage`. */
export async function agentImage(docker: Docker, baseImage: string, logDir: string): Promise<string> {
  const built = await ensureImage(
    docker,
    {
      family: 'agent',
      context: [
        { from: process.execPath, to: 'node' },
        { from: join(packageRoot(), 'harness', 'agent-relay.py'), to: 'agent-relay.py' },
      ],
      buildArgs: { BASE: baseImage },
      smoke: [
        ['node', '--version'],
        ['python3', '-c', 'import ast; ast.parse(open("/opt/isobench/agent-relay.py").read())'],
      ],
      notes: [`agents' sandbox: ${baseImage} + node ${process.version} + the relay`],
    },
    logDir,
  );
  return built.tag;
}

/** The host's end of a relay: a Unix socket whose connections go to one host:port. */
export class HostRelay {
  private constructor(
    readonly socketPath: string,
    private readonly server: Server,
  ) {}

  static async start(socketPath: string, upstream: { host: string; port: number }): Promise<HostRelay> {
    await mkdir(dirname(socketPath), { recursive: true });
    await rm(socketPath, { force: true });
    const server = createServer((inside) => {
      const out = createConnection({ host: upstream.host, port: upstream.port });
      inside.pipe(out).pipe(inside);
      const end = () => {
        inside.destroy();
        out.destroy();
      };
      inside.on('error', end);
      out.on('error', end);
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(socketPath, () => ok());
    });
    return new HostRelay(socketPath, server);
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
    await rm(this.socketPath, { force: true });
  }
}

/** Where the agent's API is, and what the container needs to reach it. */
export function apiRoute(baseUrl: string): { host: string; port: number; hosts: Record<string, string> } {
  const u = new URL(baseUrl);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return { host: loopback ? '127.0.0.1' : host, port, hosts: loopback ? {} : { [host]: '127.0.0.1' } };
}

/** An agent sandbox in a container, with its relay running; close() ends both. */
export async function openAgentContainer(o: {
  executor: DockerExecutor;
  image: string;
  name: string;
  attemptDir: string;
  readOnly: readonly string[];
  baseUrl: string;
  labels?: Record<string, string>;
}): Promise<{ sandbox: Sandbox; close(): Promise<void> }> {
  const route = apiRoute(o.baseUrl);
  const sock = join(o.attemptDir, 'relay', 'api.sock');
  const relay = await HostRelay.start(sock, { host: route.host, port: route.port });
  let sandbox: Sandbox | null = null;
  let inside: Background | null = null;
  try {
    sandbox = await o.executor.open({
      name: o.name,
      image: o.image,
      labels: o.labels,
      hosts: route.hosts,
      mounts: [
        { host: o.attemptDir, sandbox: o.attemptDir },
        ...[...new Set(o.readOnly)].map((p) => ({ host: p, sandbox: p, readOnly: true })),
      ],
    });
    inside = await sandbox.start(['python3', '/opt/isobench/agent-relay.py', String(route.port), sock], {
      stdoutPath: join(o.attemptDir, 'relay', 'relay.log'),
      stderrPath: join(o.attemptDir, 'relay', 'relay.log'),
    });
    // ready when it says so (or fails)
    for (let i = 0; ; i++) {
      const log = (await readTextIfThere(join(o.attemptDir, 'relay', 'relay.log'))) ?? '';
      if (log.includes('relay ready')) break;
      if (i > 100) throw new InfraError(`the agent relay did not start in the container: ${log.slice(-300)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await sandbox?.close();
    await relay.close();
    throw e;
  }
  const sb = sandbox;
  return {
    sandbox: sb,
    close: async () => {
      // the container's end goes with the container
      void inside;
      await sb.close();
      await relay.close();
    },
  };
}
