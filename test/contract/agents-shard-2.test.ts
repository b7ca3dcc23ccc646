/** The agent contract (agent-contract.ts) for the agents dealt to shard 2. */
import { contractShard } from './agent-contract.js';

contractShard(2);
