/** Folder-safe names. */

/** A folder-safe name for a variant, a task or an agent (every run of other characters becomes `_`). */
export function variantSlug(id: string): string {
  return id.replace(/[^\w.-]+/g, '_');
}
