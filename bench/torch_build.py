"""What both PyTorch references report about the build they ran on, so that a figure says what it measured."""

import os

import torch


def blas_library() -> str:
    """Which BLAS the process loaded: Debian's reference BLAS makes torch ~10x slower than OpenBLAS."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line and "/" in line}
    except OSError:
        return "unknown"
    for name in sorted(names):
        if "openblas" in name or "mkl" in name:
            return name
    return sorted(names)[0] if names else "none"


def torch_build() -> dict:
    """torch's version, its intra-op threads, OpenBLAS's own thread count and the BLAS loaded."""
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "blas": blas_library(),
    }
