"""Which number format and attention kernel a training step runs with, on this hardware."""

from __future__ import annotations

from pathlib import Path


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); without it autocast
    emulates bf16 and is slower than float32."""
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def uses_bf16(device, precision: str) -> bool:
    """bfloat16 autocast where the hardware has it: CUDA with bf16, or a CPU with native bf16 (the
    shipped v17 run: 1.22x the transformer steps a minute of v16's float32 run)."""
    import torch

    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and cpu_has_bf16()


def vae_uses_bf16(device, precision: str, asked: bool | None) -> bool:
    """bfloat16 autocast for the VAE (its stage and the batch encoding): always when the transformer
    stage runs in bf16, else as --vae-bf16 asks, and unasked where the hardware has it natively (a
    CPU without it emulates bf16, slower than float32)."""
    if uses_bf16(device, precision):
        return True
    return uses_bf16(device, "auto") if asked is None else asked


def attention_kernel(device, attention: str = "auto"):
    """The scaled-dot-product-attention kernel for the training step, as a context manager.

    On a CPU, PyTorch's fused flash-attention kernel spends about ten times its forward time in
    its backward at these short sequences (64-384 tokens; a profile of the grounded step put 29 %
    of the step there), while the math kernel's backward is a few batched matmuls:
    `bench/nano_train_speed.py` measures the whole step. CUDA keeps its fused kernels. "auto": math
    on a CPU, fused elsewhere."""
    from contextlib import nullcontext

    from torch.nn.attention import SDPBackend, sdpa_kernel

    math_kernel = attention == "math" or (attention == "auto" and device.type == "cpu")
    return sdpa_kernel([SDPBackend.MATH]) if math_kernel else nullcontext()
