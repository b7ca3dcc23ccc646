"""A toy sampler for isobench's CPU latency demo task (standard library only)."""
