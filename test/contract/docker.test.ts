import { join } from 'node:path';
import { BASE_IMAGE, HAVE_DOCKER } from '../support/docker.js';
import { executorContract } from './executor.js';
import { makeDocker } from './factories.js';

executorContract({
  name: 'docker',
  skip: !HAVE_DOCKER,
  make: makeDocker,
  spec: {
    name: 'contract-docker',
    image: BASE_IMAGE,
    cpus: 1,
    memoryBytes: 512 * 1024 * 1024,
    labels: { 'isobench.test': 'contract' },
  },
  childFactory: `${join(import.meta.dirname, 'factories.ts')}#makeDocker`,
});
