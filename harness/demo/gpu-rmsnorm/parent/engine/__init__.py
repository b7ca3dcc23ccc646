"""A toy GPU layer for isobench's GPU demo task (PyTorch)."""
