/** Test helper: opens a sandbox with the named executor factory, starts a long command, and hangs until killed. */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Executor, SandboxSpec } from '../../src/executor/types.js';

const [factory = '', specJson = '{}'] = process.argv.slice(2);
const [modulePath = '', exportName = ''] = factory.split('#');
const mod = (await import(modulePath)) as Record<string, () => Promise<Executor>>;
const make = mod[exportName];
if (!make) throw new Error(`no export ${exportName} in ${modulePath}`);
const ex = await make();
const sb = await ex.open(JSON.parse(specJson) as SandboxSpec);
await sb.start(['sleep', '300'], {
  stdoutPath: join(tmpdir(), `hang-${process.pid}.out`),
  stderrPath: join(tmpdir(), `hang-${process.pid}.err`),
});
process.stdout.write(`OPENED ${sb.id}\n`);
setInterval(() => undefined, 1000);
