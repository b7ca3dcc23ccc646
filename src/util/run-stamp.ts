/** The time part of a new run's id: UTC, to the second, `20261206-083105`. */
export function runStamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}
