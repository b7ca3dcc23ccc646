/** The agent contract (agent-contract.ts) for the agents dealt to shard 0. */
import { contractShard } from './agent-contract.js';

contractShard(0);
