"""RMS normalisation of the last dimension, as a transformer layer applies it."""
import torch


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """x / sqrt(mean(x^2) + eps) * weight, computed in float32 and returned in x's dtype."""
    xf = x.float()
    variance = xf.pow(2).mean(dim=-1, keepdim=True)
    normed = xf * torch.rsqrt(variance + eps)
    return (normed * weight.float()).to(x.dtype)
