import { describe, expect, it } from 'vitest';
import { type CommandIssue, type ParsedPerfCommand, parsePerfCommand } from '../../src/task/perf-command.js';

const SERVING = 'python benchmarks/benchmark_serving.py';
const LATENCY = 'python benchmarks/benchmark_latency.py';

function parsed(command: string): { parsed: ParsedPerfCommand } {
  const r = parsePerfCommand(command);
  if (!r.ok) throw new Error(`expected '${command}' to parse, got ${JSON.stringify(r.issues)}`);
  return { parsed: r.parsed };
}

function issues(command: string): readonly CommandIssue[] {
  const r = parsePerfCommand(command);
  if (r.ok) throw new Error(`expected '${command}' to be refused`);
  return r.issues;
}

function codes(command: string): string[] {
  return issues(command).map((i) => i.code);
}

function option(p: ParsedPerfCommand, canonical: string) {
  return p.options.find((o) => o.canonical === canonical);
}

describe('parsePerfCommand: usable commands', () => {
  it('splits a serving command into options with their side and exact words', () => {
    const cmd = `${SERVING} --model meta-llama/Llama-3.1-8B-Instruct --dtype float16 --num-prompts 300 --seed 0`;
    const { parsed: p } = parsed(cmd);
    expect(p.kind).toBe('serving');
    expect(p.command).toBe(cmd);
    expect(p.env).toEqual({});
    expect(p.launcher).toEqual({
      type: 'python',
      interpreter: 'python',
      script: 'benchmarks/benchmark_serving.py',
    });
    expect(p.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(p.options.map((o) => o.canonical)).toEqual(['--model', '--dtype', '--num-prompts', '--seed']);
    expect(option(p, '--model')).toMatchObject({
      side: 'both',
      dest: 'model',
      value: 'meta-llama/Llama-3.1-8B-Instruct',
      words: ['--model', 'meta-llama/Llama-3.1-8B-Instruct'],
    });
    expect(option(p, '--dtype')).toMatchObject({
      side: 'server',
      value: 'float16',
      words: ['--dtype', 'float16'],
    });
    expect(option(p, '--num-prompts')).toMatchObject({
      side: 'client',
      dest: 'num_prompts',
      value: '300',
      words: ['--num-prompts', '300'],
    });
    expect(option(p, '--seed')).toMatchObject({ side: 'client', value: '0', words: ['--seed', '0'] });
  });

  it('trims the command and keeps it otherwise verbatim', () => {
    const { parsed: p } = parsed(`  ${SERVING} --model Qwen/Qwen2.5-7B-Instruct  `);
    expect(p.command).toBe(`${SERVING} --model Qwen/Qwen2.5-7B-Instruct`);
  });

  it('reads `vllm bench serve` as a serving benchmark launched by the vllm CLI', () => {
    const { parsed: p } = parsed('vllm bench serve --model Qwen/Qwen2.5-7B-Instruct --num-prompts 50');
    expect(p.kind).toBe('serving');
    expect(p.launcher).toEqual({ type: 'vllm-cli', subcommand: 'serve' });
    expect(option(p, '--num-prompts')?.side).toBe('client');
    expect(p.model).toBe('Qwen/Qwen2.5-7B-Instruct');
  });

  it('reads `vllm bench latency` and `vllm bench throughput`', () => {
    expect(parsed('vllm bench latency --model facebook/opt-125m').parsed.launcher).toEqual({
      type: 'vllm-cli',
      subcommand: 'latency',
    });
    expect(parsed('vllm bench throughput --model facebook/opt-125m').parsed.kind).toBe('throughput');
  });

  it('parses leading environment assignments and the short -tp alias', () => {
    const { parsed: p } = parsed(
      'VLLM_USE_V1=1 VLLM_ATTENTION_BACKEND=FLASHMLA python benchmarks/benchmark_serving.py --model org/model -tp 8',
    );
    expect(p.env).toEqual({ VLLM_USE_V1: '1', VLLM_ATTENTION_BACKEND: 'FLASHMLA' });
    expect(p.kind).toBe('serving');
    expect(p.model).toBe('org/model');
    expect(option(p, '--tensor-parallel-size')).toMatchObject({
      canonical: '--tensor-parallel-size',
      dest: 'tensor_parallel_size',
      side: 'server',
      value: '8',
      words: ['-tp', '8'],
    });
  });

  it('reads the offline scripts, where every option is a client option', () => {
    const lat = parsed(
      'python benchmarks/benchmark_latency.py --model meta-llama/Llama-3.1-8B-Instruct --input-len 1000 --batch-size 8 -tp 2',
    ).parsed;
    expect(lat.kind).toBe('latency');
    expect(lat.options.map((o) => o.side)).toEqual(['client', 'client', 'client', 'client']);
    expect(option(lat, '--tensor-parallel-size')?.value).toBe('2');

    const thr = parsed(
      'python benchmarks/benchmark_throughput.py --model Qwen/Qwen2.5-7B-Instruct --input-len 256 --output-len 256 --num-prompts 1000',
    ).parsed;
    expect(thr.kind).toBe('throughput');
    expect(thr.options.every((o) => o.side === 'client')).toBe(true);

    const pc = parsed(
      'python3 benchmarks/benchmark_prefix_caching.py --model meta-llama/Llama-3.1-8B-Instruct --enable-prefix-caching --num-prompts 20 --repeat-count 5 --input-length-range 128:256',
    ).parsed;
    expect(pc.kind).toBe('prefix_caching');
    expect(pc.launcher).toEqual({
      type: 'python',
      interpreter: 'python3',
      script: 'benchmarks/benchmark_prefix_caching.py',
    });
    expect(pc.options.every((o) => o.side === 'client')).toBe(true);
    expect(option(pc, '--enable-prefix-caching')).toMatchObject({
      value: true,
      words: ['--enable-prefix-caching'],
    });
  });

  it('accepts --flag=value and keeps the word as written', () => {
    const { parsed: p } = parsed(`${SERVING} --model=Qwen/Qwen2.5-7B-Instruct --num-prompts=100`);
    expect(p.model).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(option(p, '--model')?.words).toEqual(['--model=Qwen/Qwen2.5-7B-Instruct']);
    expect(option(p, '--num-prompts')).toMatchObject({ value: '100', words: ['--num-prompts=100'] });
  });

  it('reads a switch with an explicit boolean as that value, consuming the word', () => {
    const { parsed: p } = parsed(`${SERVING} --model m --enable-chunked-prefill False --num-prompts 10`);
    expect(option(p, '--enable-chunked-prefill')).toMatchObject({
      value: false,
      words: ['--enable-chunked-prefill', 'False'],
      side: 'server',
    });
    expect(option(p, '--num-prompts')?.value).toBe('10');
    const eq = parsed(`${LATENCY} --model m --enforce-eager=true`).parsed;
    expect(option(eq, '--enforce-eager')).toMatchObject({ value: true, words: ['--enforce-eager=true'] });
  });

  it('reads a plain switch as true', () => {
    const { parsed: p } = parsed(`${LATENCY} --model m --enforce-eager --batch-size 4`);
    expect(option(p, '--enforce-eager')).toMatchObject({ value: true, words: ['--enforce-eager'] });
    expect(option(p, '--batch-size')?.value).toBe('4');
  });

  it('reads --no-<switch> as false with a negated_switch note', () => {
    const r = parsePerfCommand(`${SERVING} --model m --no-enable-prefix-caching`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(option(r.parsed, '--enable-prefix-caching')).toMatchObject({
      value: false,
      words: ['--no-enable-prefix-caching'],
    });
    expect(r.notes.map((n) => n.code)).toEqual(['negated_switch']);
    expect(r.notes[0]?.message).toContain('--enable-prefix-caching');
  });

  it('reads underscore options as their dashed form with an underscore_option note', () => {
    const r = parsePerfCommand(`${LATENCY} --model m --input_len 1000 --output-len 128`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(option(r.parsed, '--input-len')).toMatchObject({
      dest: 'input_len',
      value: '1000',
      words: ['--input_len', '1000'],
    });
    expect(r.notes.map((n) => n.code)).toEqual(['underscore_option']);
    expect(r.notes[0]?.message).toContain("'--input-len'");
  });

  it('accepts a quoted value that would otherwise look like syntax', () => {
    const { parsed: p } = parsed(
      `${LATENCY} --model meta-llama/Llama-3.1-8B-Instruct --speculative-model '[ngram]' --num-speculative-tokens 5 --ngram-prompt-lookup-max 4`,
    );
    expect(option(p, '--speculative-model')).toMatchObject({
      value: '[ngram]',
      words: ['--speculative-model', '[ngram]'],
    });
  });

  it('collects the values of a multi-value option until the next option', () => {
    const { parsed: p } = parsed(`${SERVING} --model m --goodput ttft:100 tpot:20 --num-prompts 5`);
    expect(option(p, '--goodput')).toMatchObject({
      value: ['ttft:100', 'tpot:20'],
      words: ['--goodput', 'ttft:100', 'tpot:20'],
    });
  });

  it('leaves model null when --model is absent', () => {
    expect(parsed(`${LATENCY} --batch-size 8`).parsed.model).toBeNull();
  });
});

describe('parsePerfCommand: refused commands', () => {
  it('empty', () => {
    expect(issues('')).toEqual([{ code: 'empty', message: 'the perf command is empty' }]);
    expect(codes('   ')).toEqual(['empty']);
    expect(codes('VLLM_USE_V1=1')).toEqual(['empty']);
  });

  it('shell_syntax: unbalanced quotes and pipes', () => {
    const r = parsePerfCommand(`${SERVING} --model 'meta-llama/Llama-3.1-8B-Instruct --num-prompts 10`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBeNull();
    expect(r.issues.map((i) => i.code)).toEqual(['shell_syntax']);
    expect(r.issues[0]?.message).toContain('unbalanced single quote');
    const pipe = issues(`${SERVING} --model m --num-prompts 10 | tee serving.log`);
    expect(pipe.map((i) => i.code)).toEqual(['shell_syntax']);
    expect(pipe[0]?.message).toContain("'|'");
    expect(codes(`${SERVING} --model "m`)).toEqual(['shell_syntax']);
  });

  it('unknown_script: a script outside benchmarks/', () => {
    const r = issues('python benchmark_guided.py --model meta-llama/Llama-3.1-8B-Instruct --num-prompts 10');
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ code: 'unknown_script', word: 'benchmark_guided.py' });
    expect(r[0]?.message).toContain('outside benchmarks/');
  });

  it('unknown_script: an absolute path', () => {
    const r = issues('python /home/ray/x/benchmarks/benchmark_latency.py --model m');
    expect(r.map((i) => i.code)).toEqual(['unknown_script']);
    expect(r[0]?.message).toContain('absolute path');
  });

  it("unknown_script: 'benchmark/' instead of 'benchmarks/'", () => {
    const r = issues('python benchmark/benchmark_latency.py --model m');
    expect(r.map((i) => i.code)).toEqual(['unknown_script']);
    expect(r[0]?.message).toContain("'benchmark/' (singular)");
  });

  it('unknown_script: other programs and vllm subcommands', () => {
    expect(codes('python')).toEqual(['unknown_script']);
    expect(codes('bash run.sh')).toEqual(['unknown_script']);
    expect(codes('vllm bench fancy --model m')).toEqual(['unknown_script']);
  });

  it('placeholder: one issue per placeholder', () => {
    const r = parsePerfCommand(`${LATENCY} --batch-size BS --input-len 32 --model MODEL`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('latency');
    expect(r.issues.map((i) => [i.code, i.word])).toEqual([
      ['placeholder', 'BS'],
      ['placeholder', 'MODEL'],
    ]);
    expect(codes(`${SERVING} --model {model} --num-prompts {N}`)).toEqual(['placeholder', 'placeholder']);
  });

  it('optional_syntax: a bracketed optional part', () => {
    const r = issues(`${LATENCY} --model m --enable-prefix-caching [--use-v2-block-manager]`);
    expect(r.map((i) => i.code)).toEqual(['optional_syntax']);
    expect(r[0]?.word).toBe('[--use-v2-block-manager]');
  });

  it('run_together: an option glued to its value, and a value glued to the next option', () => {
    const a = issues(`${SERVING} --model m --num-prompts100`);
    expect(a.map((i) => i.code)).toEqual(['run_together']);
    expect(a[0]?.word).toBe('--num-prompts100');
    const b = issues(`${SERVING} --model X--dtype float16`);
    expect(b.map((i) => i.code)).toContain('run_together');
    expect(b.find((i) => i.code === 'run_together')?.word).toBe('X--dtype');
  });

  it('unknown_option: options the script does not have', () => {
    const a = issues(`${SERVING} --model m --input-len 1000`);
    expect(a.map((i) => i.code)).toEqual(['unknown_option']);
    expect(a[0]?.word).toBe('--input-len');
    expect(a[0]?.message).toContain('benchmark_serving.py');
    expect(codes(`${SERVING} --model m --batch-size 2`)).toEqual(['unknown_option']);
    const lat = issues(`${LATENCY} --model m --num-prompts 5`);
    expect(lat.map((i) => i.code)).toEqual(['unknown_option']);
    expect(lat[0]?.message).toContain('benchmark_latency.py');
  });

  it('abbreviated_option: a prefix of a longer option', () => {
    const r = issues(`${SERVING} --model m --dataset-name random --random-input 5`);
    expect(r.map((i) => i.code)).toEqual(['abbreviated_option']);
    expect(r[0]?.message).toContain('--random-input-len');
  });

  it('missing_value: at the end and before the next option', () => {
    expect(codes(`${SERVING} --num-prompts 10 --model`)).toEqual(['missing_value']);
    const r = issues(`${SERVING} --model --dtype x`);
    expect(r.map((i) => i.code)).toEqual(['missing_value']);
    expect(r[0]?.word).toBe('--model');
    expect(codes(`${SERVING} --model m --num-prompts=`)).toEqual(['missing_value']);
    expect(codes(`${SERVING} --model m --goodput`)).toEqual(['missing_value']);
  });

  it('bad_value: a switch with a non-boolean inline value', () => {
    const r = issues(`${LATENCY} --model m --enforce-eager=maybe`);
    expect(r.map((i) => i.code)).toEqual(['bad_value']);
    expect(r[0]?.word).toBe('--enforce-eager=maybe');
  });

  it('repeated_option: the same option twice, also through an alias', () => {
    const r = issues(`${SERVING} --model a --model b`);
    expect(r.map((i) => i.code)).toEqual(['repeated_option']);
    expect(r[0]?.message).toContain("'--model a'");
    expect(r[0]?.message).toContain("'--model b'");
    expect(codes(`${LATENCY} --model m -tp 2 --tensor-parallel-size 4`)).toEqual(['repeated_option']);
  });

  it('stray_argument: a word no option takes', () => {
    const r = issues(`${LATENCY} --model m --batch-size 8 extra`);
    expect(r).toEqual([
      {
        code: 'stray_argument',
        message: "'extra' is not an option and no option takes it as a value",
        word: 'extra',
      },
    ]);
  });

  it('local_model_path: absolute, relative and home paths', () => {
    const r = issues(`${SERVING} --model "/data/x" --num-prompts 10`);
    expect(r.map((i) => i.code)).toEqual(['local_model_path']);
    expect(r[0]?.word).toBe('/data/x');
    expect(codes(`${LATENCY} --model ./m`)).toEqual(['local_model_path']);
    expect(codes(`${LATENCY} --model ../models/llama`)).toEqual(['local_model_path']);
  });

  it('collects every issue, not just the first', () => {
    const r = parsePerfCommand(`${SERVING} --model a --model b --batch-size 2 --num-prompts NUM`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('serving');
    expect(r.issues.map((i) => i.code)).toEqual(['repeated_option', 'unknown_option', 'placeholder']);
    expect(codes(`${LATENCY} --model /data/llama --input-len 10 stray`)).toEqual([
      'stray_argument',
      'local_model_path',
    ]);
  });
});

describe('single-letter placeholders', () => {
  it('are placeholders too', () => {
    const r = parsePerfCommand('python benchmarks/benchmark_serving.py --model m --num-prompts N');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.code)).toEqual(['placeholder']);
  });
});
