/**
 * The setup commands of the vLLM tasks. Each variant runs from a source checkout of its commit
 * (`PYTHONPATH` = the tree) inside an image where vLLM at the same commit is installed; a checkout has
 * no compiled extensions, so `prepare` links those of the image's installed vLLM into the tree (only
 * files the tree lacks). A patch that changes compiled sources is rebuilt in place instead, for the
 * H100 (sm_90), with the image's CUDA toolchain.
 */

/** Links the compiled files of the installed vLLM (outside the tree) into the tree at the cwd. */
const LINK_COMPILED = `import importlib.util, os, sys
tree = os.path.realpath(os.getcwd())
sys.path = [p for p in sys.path if p and os.path.realpath(p) != tree]
spec = importlib.util.find_spec("vllm")
if spec is None or not spec.submodule_search_locations:
    sys.exit("no installed vllm in this image to take the compiled extensions from")
src = os.path.realpath(list(spec.submodule_search_locations)[0])
if src == os.path.join(tree, "vllm"):
    sys.exit("vllm resolves to the tree itself: " + src)
linked = 0
for root, _, files in os.walk(src):
    for f in files:
        if f.endswith(".so"):
            rel = os.path.relpath(os.path.join(root, f), src)
            dst = os.path.join(tree, "vllm", rel)
            if os.path.lexists(dst):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink(os.path.join(root, f), dst)
            linked += 1
print(f"linked {linked} compiled files from {src}")
if linked == 0:
    sys.exit("the installed vllm has no compiled files")
`;

/** The setup block of a vLLM task spec. */
export function vllmSetup(): {
  prepare: string[];
  build: string[];
  env: Record<string, string>;
} {
  return {
    prepare: ['python3', '-c', LINK_COMPILED],
    build: ['python3', 'setup.py', 'build_ext', '--inplace'],
    env: { MAX_JOBS: '16', TORCH_CUDA_ARCH_LIST: '9.0', VLLM_TARGET_DEVICE: 'cuda' },
  };
}
