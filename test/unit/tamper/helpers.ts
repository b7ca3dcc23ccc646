/** Builds small git patches for the rule tests. */
export function patchOf(
  file: string,
  removed: string[],
  added: string[],
  opts: { newFile?: boolean } = {},
): string {
  const head = opts.newFile
    ? `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${added.length} @@\n`
    : `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -10,${removed.length + 1} +10,${added.length + 1} @@\n context()\n`;
  return head + removed.map((l) => `-${l}\n`).join('') + added.map((l) => `+${l}\n`).join('');
}
