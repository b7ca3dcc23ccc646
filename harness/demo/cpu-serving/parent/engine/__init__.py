"""A toy inference engine for isobench's CPU demo task (standard library only)."""
