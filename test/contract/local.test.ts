import { join } from 'node:path';
import { executorContract } from './executor.js';
import { makeLocal } from './factories.js';

executorContract({
  name: 'local',
  skip: false,
  make: makeLocal,
  spec: { name: 'contract-local', labels: { 'isobench.test': 'contract' } },
  childFactory: `${join(import.meta.dirname, 'factories.ts')}#makeLocal`,
});
