/**
 * The contract every executor keeps, run against each implementation (local processes, Docker).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Executor, InfraError, type Sandbox, type SandboxSpec } from '../../src/executor/types.js';

/** How a contract run gets its executor, and how a child process gets the same one. */
export interface ContractSetup {
  readonly name: string;
  readonly skip: boolean;
  readonly make: () => Promise<Executor>;
  readonly spec: SandboxSpec;
  /** module + export name a child process uses to build the same executor (for the leftover test) */
  readonly childFactory: string;
}

/** Registers the contract suite for one executor. */
export function executorContract(setup: ContractSetup): void {
  describe.skipIf(setup.skip)(`executor contract: ${setup.name}`, () => {
    const logs = mkdtempSync(join(tmpdir(), `isobench-contract-${setup.name}-`));
    let n = 0;
    const io = () => {
      n++;
      return { stdoutPath: join(logs, `${n}.out`), stderrPath: join(logs, `${n}.err`) };
    };
    const read = (p: string) => readFileSync(p, 'utf8');
    const opened: Sandbox[] = [];
    const open = async (): Promise<{ ex: Executor; sb: Sandbox }> => {
      const ex = await setup.make();
      const sb = await ex.open(setup.spec);
      opened.push(sb);
      return { ex, sb };
    };
    afterAll(async () => {
      for (const s of opened) await s.close();
      rmSync(logs, { recursive: true, force: true });
    });

    it('runs a command: exit code, stdout and stderr to their files', async () => {
      const { sb } = await open();
      const r = await sb.exec(['sh', '-c', 'echo hello; echo oops >&2; exit 3'], io());
      expect(r).toMatchObject({ exitCode: 3, timedOut: false, signal: null });
      expect(read(r.stdoutPath)).toBe('hello\n');
      expect(read(r.stderrPath)).toBe('oops\n');
      expect(r.durationMs).toBeGreaterThan(0);
    });

    it('passes the environment and the working directory', async () => {
      const { sb } = await open();
      await sb.exec(['mkdir', '-p', `${sb.workdir}/sub`], io());
      const r = await sb.exec(['sh', '-c', 'echo "$ISOBENCH_X"; pwd'], {
        ...io(),
        env: { ISOBENCH_X: 'a b' },
        cwd: `${sb.workdir}/sub`,
      });
      expect(r.exitCode).toBe(0);
      expect(read(r.stdoutPath)).toBe(`a b\n${sb.workdir}/sub\n`);
    });

    it('reports a program that does not exist as exit code 127, not an exception', async () => {
      const { sb } = await open();
      const r = await sb.exec(['isobench-no-such-program'], io());
      expect(r.exitCode).toBe(127);
      expect(read(r.stderrPath)).toMatch(/isobench-no-such-program/);
    });

    it('kills the whole process group at the timeout', async () => {
      const { sb } = await open();
      const pids = `${sb.workdir}/pids`;
      const r = await sb.exec(
        ['sh', '-c', `sleep 60 & echo $! > ${pids}; sleep 60 & echo $! >> ${pids}; echo started; wait`],
        { ...io(), timeoutMs: 700 },
      );
      expect(r.timedOut).toBe(true);
      expect(r.exitCode === 0).toBe(false);
      expect(r.durationMs).toBeLessThan(10_000);
      expect(read(r.stdoutPath)).toBe('started\n');
      // a killed process may linger as a zombie until its new parent reaps it: state Z counts as gone
      const check = await sb.exec(
        [
          'sh',
          '-c',
          `for p in $(cat ${pids}); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo alive $p $s; done; echo checked`,
        ],
        io(),
      );
      expect(read(check.stdoutPath)).toBe('checked\n');
    });

    it('writes large output completely, never truncated', async () => {
      const { sb } = await open();
      const r = await sb.exec(
        [
          'python3',
          '-c',
          "import sys\nsys.stdout.write('x' * 20_000_000)\nsys.stderr.write('y' * 1_000_001)",
        ],
        io(),
      );
      expect(r.exitCode).toBe(0);
      expect(statSync(r.stdoutPath).size).toBe(20_000_000);
      expect(statSync(r.stderrPath).size).toBe(1_000_001);
    });

    it('moves files and folders in and out, with modes and links', async () => {
      const { sb } = await open();
      const src = mkdtempSync(join(tmpdir(), 'isobench-put-'));
      mkdirSync(join(src, 'a/b'), { recursive: true });
      writeFileSync(join(src, 'a/b/file.txt'), 'content\n');
      writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho ran\n');
      chmodSync(join(src, 'run.sh'), 0o755);
      symlinkSync('a/b/file.txt', join(src, 'link'));
      await sb.put(src, `${sb.workdir}/tree`);
      const r = await sb.exec(['sh', '-c', 'cat tree/a/b/file.txt; ./tree/run.sh; cat tree/link'], io());
      expect(read(r.stdoutPath)).toBe('content\nran\ncontent\n');
      await sb.writeFile(`${sb.workdir}/new/made.txt`, 'made');
      await sb.exec(['sh', '-c', 'cp new/made.txt tree/a/made.txt'], io());
      const back = join(src, 'back');
      await sb.get(`${sb.workdir}/tree`, back);
      expect(read(join(back, 'a/made.txt'))).toBe('made');
      expect(read(join(back, 'a/b/file.txt'))).toBe('content\n');
      expect(readlinkSync(join(back, 'link'))).toBe('a/b/file.txt');
      expect(statSync(join(back, 'run.sh')).mode & 0o111).not.toBe(0);
      rmSync(src, { recursive: true, force: true });
    });

    it('runs a background command until it is stopped', async () => {
      const { sb } = await open();
      const bg = await sb.start(['sh', '-c', 'echo up; sleep 60'], io());
      await new Promise((r) => setTimeout(r, 300));
      expect(bg.running()).toBe(true);
      const t0 = performance.now();
      const r = await bg.stop(2000);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(bg.running()).toBe(false);
      expect(r.exitCode === 0).toBe(false);
      expect(read(r.stdoutPath)).toBe('up\n');
    });

    it('leaves nothing of a group whose leader is gone: a child that ignores TERM goes too (a V1 EngineCore, a TP worker)', async () => {
      const { sb } = await open();
      const alive = async (pidFile: string) => {
        // a killed process may linger as a zombie until its new parent reaps it: state Z counts as gone
        const check = await sb.exec(
          [
            'sh',
            '-c',
            `p=$(cat ${pidFile}); s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo alive; echo checked`,
          ],
          io(),
        );
        return read(check.stdoutPath) !== 'checked\n';
      };
      // a killed process takes a moment to leave /proc on a busy host: gone within 5 s (a child that
      // ignores TERM and was not killed would never go)
      const gone = async (pidFile: string) => {
        for (let i = 0; i < 100 && (await alive(pidFile)); i++) await new Promise((r) => setTimeout(r, 50));
        return !(await alive(pidFile));
      };
      const stubborn = (pidFile: string) =>
        `sh -c 'trap "" TERM; echo $$ > ${pidFile}; while :; do sleep 1; done' >/dev/null 2>&1 & while [ ! -s ${pidFile} ]; do sleep 0.05; done; echo up`;
      // stopped: the leader ends on TERM at once, the child ignores it
      const a = `${sb.workdir}/stubborn-a`;
      const bg = await sb.start(
        ['sh', '-c', `${stubborn(a)}; trap 'exit 0' TERM; while :; do sleep 0.2; done`],
        io(),
      );
      for (let i = 0; i < 100 && !(await alive(a)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await alive(a)).toBe(true);
      await bg.stop(10_000);
      expect(await gone(a)).toBe(true);
      // ended by itself: what it left running in its group goes with it
      const b = `${sb.workdir}/stubborn-b`;
      const r = await sb.exec(['sh', '-c', `${stubborn(b)}; exit 0`], io());
      expect(r.exitCode).toBe(0);
      expect(await gone(b)).toBe(true);
    });

    it('gives commands an open-file soft limit at their hard limit (Docker 29 gives a soft 1024): 1000 connections at each end fit', async () => {
      const { sb } = await open();
      const r = await sb.exec(['sh', '-c', 'ulimit -Sn; ulimit -Hn'], io());
      expect(r.exitCode).toBe(0);
      const [soft, hard] = read(r.stdoutPath).trim().split('\n');
      expect(soft).toBe(hard);
      expect(soft === 'unlimited' || Number(soft) >= 4096).toBe(true);
    });

    it('refuses work after close, and closing twice is harmless', async () => {
      const { sb } = await open();
      await sb.close();
      await sb.close();
      await expect(sb.exec(['true'], io())).rejects.toBeInstanceOf(InfraError);
    });

    it('finds and cleans what a killed run left behind', async () => {
      const ex = await setup.make();
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'open-and-hang.ts'),
          setup.childFactory,
          JSON.stringify(setup.spec),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const id = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /OPENED (\S+)/.exec(buf);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', (code) => reject(new Error(`child exited ${code} before opening a sandbox`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const left = await ex.leftovers();
      const mine = left.filter((l) => id.startsWith(l.id) || l.id.startsWith(id));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.detail).toMatch(/gone/);
      await ex.clean(mine);
      const after = await ex.leftovers();
      expect(after.filter((l) => id.startsWith(l.id) || l.id.startsWith(id))).toEqual([]);
    });
  });
}
