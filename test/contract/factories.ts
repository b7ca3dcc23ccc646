/** Executor factories the contract suite and its child processes share. */
import { DockerExecutor } from '../../src/executor/docker.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { BASE_IMAGE } from '../support/docker.js';

export async function makeLocal(): Promise<LocalExecutor> {
  return new LocalExecutor();
}

export async function makeDocker(): Promise<DockerExecutor> {
  return DockerExecutor.create({ defaultImage: BASE_IMAGE });
}
