/**
 * The setup commands of the vLLM tasks. Each variant runs from a source checkout of its commit
 * (`PYTHONPATH` = the tree) inside the image of that commit, where vLLM is installed as its own wheel
 * built it. A checkout lacks what a build generates (compiled extensions, the bundled
 * flash-attention's Python files, `_version.py`): `prepare` links those the image recorded into the
 * tree (harness/images/vllm/prepare.py). A patch that changes compiled sources is rebuilt in place
 * instead, for the H100 (sm_90), offline (harness/images/vllm/rebuild.py): a failure whose cause is
 * the environment exits {@link SETUP_ENVIRONMENT_EXIT} and is the harness's, never the agent's.
 */

/** Exit status of a setup step that failed for a reason of the environment, not of the patch. */
export const SETUP_ENVIRONMENT_EXIT = 75;

/** The setup block of a vLLM task spec. */
export function vllmSetup(): {
  prepare: string[];
  build: string[];
  env: Record<string, string>;
} {
  return {
    prepare: ['python3', '/opt/isobench/vllm/prepare.py'],
    build: ['python3', '/opt/isobench/vllm/rebuild.py'],
    env: { MAX_JOBS: '16', TORCH_CUDA_ARCH_LIST: '9.0', VLLM_TARGET_DEVICE: 'cuda' },
  };
}
