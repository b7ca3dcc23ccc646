/**
 * The prefetch cache: model weights, tokenizers and datasets fetched on a host with network, then
 * mounted read-only into benchmark sandboxes (which have none) with the hub's offline switches set.
 * Layout (the Hugging Face cache layout, so `HF_HOME` can point at it):
 *
 *   <cache>/hub/models--<org>--<name>/snapshots/<revision>/...
 *   <cache>/hub/datasets--<org>--<name>/snapshots/<revision>/...
 *   <cache>/datasets/<file>              single dataset files (e.g. ShareGPT) at a fixed path
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASET_DIR, HF_CACHE_DIR } from '../task/resolve.js';
import type { TaskSpec } from '../task/schema.js';
import { isJsonObject, jsonObject } from '../util/json.js';

/** One thing a task needs that the cache lacks. */
export interface MissingItem {
  readonly kind: 'model' | 'tokenizer' | 'dataset';
  readonly id: string;
  readonly expectedAt: string;
}

function snapshotDirs(cache: string, type: 'models' | 'datasets', repo: string): string[] {
  const dir = join(cache, 'hub', `${type}--${repo.replaceAll('/', '--')}`, 'snapshots');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((r) => join(dir, r));
}

/** The weight files vLLM loads (its \`auto\` load format): safetensors first, else PyTorch's \`.bin\`/\`.pt\`. */
const WEIGHT_SUFFIXES = ['.safetensors', '.bin', '.pt'] as const;

/** Whether a snapshot folder holds a model's weights: every shard its index names, else at least one weight file. */
function hasWeights(dir: string): boolean {
  for (const index of ['model.safetensors.index.json', 'pytorch_model.bin.index.json']) {
    const at = join(dir, index);
    if (!existsSync(at)) continue;
    const o = jsonObject(readFileSync(at, 'utf8'));
    const map = o?.weight_map;
    if (!isJsonObject(map)) return false;
    const shards = new Set(Object.values(map).map(String));
    return shards.size > 0 && [...shards].every((f) => existsSync(join(dir, f)));
  }
  return readdirSync(dir).some(
    (f) => WEIGHT_SUFFIXES.some((s) => f.endsWith(s)) && !/^(?:training_args|optimizer)\b/.test(f),
  );
}

/**
 * Whether a model is in the cache: for weights, a snapshot with its config.json and its weights
 * (models such as facebook/opt-125m publish only \`pytorch_model.bin\`); for a tokenizer, a snapshot
 * with one of the tokenizer files.
 */
function hasModel(cache: string, repo: string, what: 'model' | 'tokenizer'): boolean {
  const dirs = snapshotDirs(cache, 'models', repo);
  if (what === 'model') return dirs.some((d) => existsSync(join(d, 'config.json')) && hasWeights(d));
  const files = ['tokenizer.json', 'tokenizer_config.json', 'tokenizer.model', 'vocab.json'];
  return dirs.some((d) => files.some((f) => existsSync(join(d, f))));
}

/** What the task needs that `cache` does not hold (empty: ready to run offline). */
export function missingFromCache(task: TaskSpec, cache: string): MissingItem[] {
  const missing: MissingItem[] = [];
  for (const m of task.prefetch.models) {
    if (!hasModel(cache, m, 'model'))
      missing.push({
        kind: 'model',
        id: m,
        expectedAt: join(cache, 'hub', `models--${m.replaceAll('/', '--')}`),
      });
  }
  for (const t of task.prefetch.tokenizers) {
    if (!hasModel(cache, t, 'tokenizer'))
      missing.push({
        kind: 'tokenizer',
        id: t,
        expectedAt: join(cache, 'hub', `models--${t.replaceAll('/', '--')}`),
      });
  }
  for (const d of task.prefetch.datasets) {
    if (d.kind === 'hf_dataset_file' && d.file) {
      const at = join(cache, 'datasets', d.file);
      if (!existsSync(at)) missing.push({ kind: 'dataset', id: `${d.repo}/${d.file}`, expectedAt: at });
    } else if (snapshotDirs(cache, 'datasets', d.repo).length === 0) {
      missing.push({
        kind: 'dataset',
        id: d.repo,
        expectedAt: join(cache, 'hub', `datasets--${d.repo.replaceAll('/', '--')}`),
      });
    }
  }
  return missing;
}

/** The mounts and environment that make a sandbox use the cache offline. */
export function offlineSetup(cache: string): {
  mounts: Array<{ host: string; sandbox: string; readOnly: boolean }>;
  env: Record<string, string>;
} {
  return {
    mounts: [
      { host: cache, sandbox: HF_CACHE_DIR, readOnly: true },
      { host: join(cache, 'datasets'), sandbox: DATASET_DIR, readOnly: true },
    ],
    env: {
      HF_HOME: HF_CACHE_DIR,
      HF_HUB_OFFLINE: '1',
      TRANSFORMERS_OFFLINE: '1',
      HF_DATASETS_OFFLINE: '1',
      VLLM_NO_USAGE_STATS: '1',
    },
  };
}

/**
 * The Python program `isobench prefetch` runs on a host with network (it needs the
 * `huggingface_hub` package): downloads what the tasks need into the cache.
 */
export function fetchScript(tasks: readonly TaskSpec[], cache: string): string {
  const models = [...new Set(tasks.flatMap((t) => [...t.prefetch.models, ...t.prefetch.tokenizers]))].sort();
  const files = [
    ...new Set(
      tasks.flatMap((t) =>
        t.prefetch.datasets.filter((d) => d.kind === 'hf_dataset_file').map((d) => `${d.repo}\t${d.file}`),
      ),
    ),
  ].sort();
  const repos = [
    ...new Set(
      tasks.flatMap((t) => t.prefetch.datasets.filter((d) => d.kind === 'hf_dataset').map((d) => d.repo)),
    ),
  ].sort();
  return `import os, shutil, sys
os.environ["HF_HOME"] = ${JSON.stringify(cache)}
try:
    from huggingface_hub import HfApi, hf_hub_download, snapshot_download
except ImportError:
    sys.exit("isobench prefetch needs the huggingface_hub package (pip install huggingface_hub)")
failed = []
def weight_patterns(repo):
    # vLLM's "auto" load format takes safetensors where a repository has them, else PyTorch's .bin/.pt
    # (facebook/opt-125m publishes only pytorch_model.bin): fetch the one set it will load
    names = HfApi().list_repo_files(repo)
    if any(n.endswith(".safetensors") for n in names):
        return ["*.safetensors"]
    return ["*.bin", "*.pt"]
for repo in ${JSON.stringify(models)}:
    try:
        print("model", repo, flush=True)
        common = ["*.json", "*.model", "*.txt", "*.py", "*.tiktoken"]
        snapshot_download(repo, allow_patterns=common + weight_patterns(repo))
    except Exception as e:
        failed.append(f"{repo}: {e}")
os.makedirs(os.path.join(${JSON.stringify(cache)}, "datasets"), exist_ok=True)
for line in ${JSON.stringify(files)}:
    repo, name = line.split("\\t")
    try:
        print("dataset file", repo, name, flush=True)
        path = hf_hub_download(repo, name, repo_type="dataset")
        shutil.copyfile(path, os.path.join(${JSON.stringify(cache)}, "datasets", name))
    except Exception as e:
        failed.append(f"{repo}/{name}: {e}")
for repo in ${JSON.stringify(repos)}:
    try:
        print("dataset", repo, flush=True)
        snapshot_download(repo, repo_type="dataset")
    except Exception as e:
        failed.append(f"{repo}: {e}")
if failed:
    sys.exit("could not fetch:\\n  " + "\\n  ".join(failed))
print("done")
`;
}
