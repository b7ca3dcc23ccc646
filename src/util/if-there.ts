/**
 * Reading what may not be there: a file a process did not write, a folder not made yet. Only "not
 * there" (ENOENT, or ENOTDIR on the way) reads as absent; any other error (a permission, a disk
 * error, a folder where a file was expected) is thrown, never taken for absence.
 */
import type { Dirent, Stats, StatsFs } from 'node:fs';
import { type FileHandle, lstat, open, readdir, readFile, stat, statfs } from 'node:fs/promises';
import { errnoCode } from './errors.js';

function isAbsent(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function ifThere<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (e) {
    if (isAbsent(e)) return null;
    throw e;
  }
}

/** The text of a file, or null when there is none. */
export function readTextIfThere(path: string): Promise<string | null> {
  return ifThere(readFile(path, 'utf8'));
}

/** What stat says of a path, or null when nothing is there. */
export function statIfThere(path: string): Promise<Stats | null> {
  return ifThere(stat(path));
}

/** What lstat says of a path (a link itself), or null when nothing is there. */
export function lstatIfThere(path: string): Promise<Stats | null> {
  return ifThere(lstat(path));
}

/** The names in a folder, or none when the folder is not there. */
export async function namesIfThere(dir: string): Promise<string[]> {
  return (await ifThere(readdir(dir))) ?? [];
}

/** The entries of a folder with their types, or none when the folder is not there. */
export async function entriesIfThere(dir: string): Promise<Dirent[]> {
  return (await ifThere(readdir(dir, { withFileTypes: true }))) ?? [];
}

/** A file opened for reading, or null when there is none. */
export function openIfThere(path: string): Promise<FileHandle | null> {
  return ifThere(open(path, 'r'));
}

/** What statfs says of the file system of a path, or null when nothing is there. */
export function statfsIfThere(path: string): Promise<StatsFs | null> {
  return ifThere(statfs(path));
}
