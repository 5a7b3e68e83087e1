"""Convolution, pooling and flatten in NumPy: forward and backward for a batch of images.

Shapes: images are ``(n, C, H, W)`` (channels first, as in the notes' pictures of feature maps and in
PyTorch). A conv2d layer has ``W`` of shape ``(F, C, k, k)`` and ``b`` of shape ``(F, 1)`` and computes the
cross-correlation every framework calls convolution:

    Z[n, f, i, j] = Σ_c Σ_u Σ_v W[f, c, u, v] · X[n, c, i·s + u, j·s + v] + b[f]

Each output neuron only looks at a k×k patch of the previous layer (the notes' "local connections") and every
position shares the same W ("weight sharing"). The sum is done as one matrix product over *patches*
(im2col): the patches are read with NumPy stride tricks, copied once into a (n·H_out·W_out, C·k·k) matrix,
and multiplied by W reshaped to (F, C·k·k). Backward is the same product transposed, and the patch
gradients are added back onto the image (col2im) with k² strided additions.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")


def conv_output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output side for one axis: ``floor((size − k)/s) + 1`` for "valid", ``ceil(size/s)`` for "same"."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel) // stride + 1


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Zeros before and after one axis so that "same" gives ``ceil(size/s)`` outputs (extra zero at the end,
    as TensorFlow and Keras do)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_images(X: np.ndarray, kernel: int, stride: int, padding: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """X padded for ``padding``, and the pads (top, bottom, left, right)."""
    if padding != "same":
        return X, (0, 0, 0, 0)
    top, bottom = same_padding(X.shape[2], kernel, stride)
    left, right = same_padding(X.shape[3], kernel, stride)
    if top == bottom == left == right == 0:
        return X, (0, 0, 0, 0)
    return np.pad(X, ((0, 0), (0, 0), (top, bottom), (left, right))), (top, bottom, left, right)


def patches(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Every size×size window of X (n, C, H, W), as a view (n, C, H_out, W_out, size, size); no copy."""
    windows = sliding_window_view(X, (size, size), axis=(2, 3))
    return windows[:, :, ::stride, ::stride]


def im2col(X: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """The patches of an (already padded) X as rows: (n·H_out·W_out, C·k·k), in (c, u, v) order like W."""
    windows = patches(X, kernel, stride)  # (n, C, Ho, Wo, k, k)
    n, c, ho, wo = windows.shape[:4]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kernel * kernel)


def conv2d_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, padding: str
) -> tuple[np.ndarray, np.ndarray]:
    """Z (n, F, H_out, W_out) and the patch matrix ``cols`` that backward reuses.

    X : (n, C, H, W);  W : (F, C, k, k);  b : (F, 1).
    """
    n = X.shape[0]
    F, _, k, _ = W.shape
    Xp, _ = pad_images(X, k, stride, padding)
    cols = im2col(Xp, k, stride)
    ho = (Xp.shape[2] - k) // stride + 1
    wo = (Xp.shape[3] - k) // stride + 1
    Z = cols @ W.reshape(F, -1).T  # (n·Ho·Wo, F)
    Z += b.reshape(1, F)
    return Z.reshape(n, ho, wo, F).transpose(0, 3, 1, 2), cols


def conv2d_backward(
    dZ: np.ndarray,
    cols: np.ndarray,
    W: np.ndarray,
    input_shape: tuple[int, ...],
    stride: int,
    padding: str,
    need_input_grad: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(dW, db, dX)`` from δ = ∂L/∂Z (n, F, Ho, Wo).

    dW = δ · patchesᵀ (each weight collects the gradient of every position it was used at), db = Σ δ over
    samples and positions, dX = the patches' gradients Wᵀ·δ added back where each patch came from.
    ``input_shape`` is X's (n, C, H, W) before padding.
    """
    n, F, ho, wo = dZ.shape
    _, C, k, _ = W.shape
    d_rows = dZ.transpose(0, 2, 3, 1).reshape(n * ho * wo, F)
    dW = (d_rows.T @ cols).reshape(W.shape)
    db = d_rows.sum(axis=0).reshape(F, 1)
    if not need_input_grad:
        return dW, db, None
    d_cols = (d_rows @ W.reshape(F, -1)).reshape(n, ho, wo, C, k, k)
    _, _, H, Wd = input_shape
    if padding == "same":
        top, bottom = same_padding(H, k, stride)
        left, right = same_padding(Wd, k, stride)
    else:
        top = bottom = left = right = 0
    dXp = np.zeros((n, C, H + top + bottom, Wd + left + right), dtype=dZ.dtype)
    d_cols = d_cols.transpose(0, 3, 1, 2, 4, 5)  # (n, C, Ho, Wo, k, k)
    for u in range(k):
        for v in range(k):
            dXp[:, :, u : u + stride * ho : stride, v : v + stride * wo : stride] += d_cols[..., u, v]
    return dW, db, dXp[:, :, top : top + H, left : left + Wd]


def pool_output_size(size: int, pool: int, stride: int) -> int:
    return (size - pool) // stride + 1


def maxpool_forward(X: np.ndarray, size: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Max over each size×size window: A (n, C, Ho, Wo) and the winner's index in its window (first on ties)."""
    windows = patches(X, size, stride)
    flat = windows.reshape(*windows.shape[:4], size * size)
    winner = flat.argmax(axis=-1)
    return np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0], winner


def maxpool_backward(
    dA: np.ndarray, winner: np.ndarray, input_shape: tuple[int, ...], size: int, stride: int
) -> np.ndarray:
    """The gradient goes to the one input that won each window; the others get 0."""
    ho, wo = dA.shape[2:]
    dX = np.zeros(input_shape, dtype=dA.dtype)
    for u in range(size):
        for v in range(size):
            won = winner == u * size + v
            dX[:, :, u : u + stride * ho : stride, v : v + stride * wo : stride] += np.where(won, dA, 0.0)
    return dX


def avgpool_forward(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Mean over each size×size window: (n, C, Ho, Wo)."""
    return patches(X, size, stride).mean(axis=(-2, -1))


def avgpool_backward(dA: np.ndarray, input_shape: tuple[int, ...], size: int, stride: int) -> np.ndarray:
    """Every input of a window gets 1/size² of the window's gradient."""
    ho, wo = dA.shape[2:]
    dX = np.zeros(input_shape, dtype=dA.dtype)
    share = dA / (size * size)
    for u in range(size):
        for v in range(size):
            dX[:, :, u : u + stride * ho : stride, v : v + stride * wo : stride] += share
    return dX
