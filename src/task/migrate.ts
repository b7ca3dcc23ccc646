/**
 * The one place where stored task specs of older versions are upgraded. Version 1 is the first
 * format, so there is nothing to upgrade yet; newer versions are refused with a clear message.
 */
import { isJsonObject } from '../util/json.js';
import { TASK_SCHEMA_VERSION } from './schema.js';

/** Result of bringing a raw stored object to the current version. */
export type MigrateResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Upgrades a parsed task file to the current schema version, or explains why it cannot. */
export function migrateTask(raw: unknown): MigrateResult {
  if (!isJsonObject(raw)) return { ok: false, message: 'expected a JSON object' };
  const v = raw.schemaVersion;
  if (v === TASK_SCHEMA_VERSION) return { ok: true, value: raw };
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    return {
      ok: false,
      message: `schemaVersion: expected the integer ${TASK_SCHEMA_VERSION}, got ${JSON.stringify(v)}`,
    };
  }
  if (v > TASK_SCHEMA_VERSION) {
    return {
      ok: false,
      message: `schemaVersion ${v} was written by a newer isobench (this one reads up to ${TASK_SCHEMA_VERSION})`,
    };
  }
  return { ok: false, message: `schemaVersion ${v} is older than any version isobench knows` };
}
