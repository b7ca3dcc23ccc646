"""RMS normalisation of the last dimension, as a transformer layer applies it."""
import torch


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """x / sqrt(mean(x^2) + eps) * weight, in one fused kernel instead of five separate ops."""
    return torch.nn.functional.rms_norm(x, (x.shape[-1],), weight, eps)
