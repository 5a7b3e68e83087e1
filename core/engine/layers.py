"""Convolution, pooling and flatten in NumPy: forward and backward for a batch of images.

Shapes: images are ``(n, C, H, W)`` (channels first, as in PyTorch and in the lecture notes' pictures of
feature maps). A conv2d layer has ``W`` of shape ``(F, C, k, k)`` and ``b`` of shape ``(F, 1)`` and computes the
cross-correlation every framework calls convolution:

    Z[n, f, i, j] = Σ_c Σ_u Σ_v W[f, c, u, v] · X[n, c, i·s + u, j·s + v] + b[f]

Each output neuron only looks at a k×k patch of the previous layer (the "local connections" of the lecture notes'
convolutional-layer section) and every position shares the same W ("weight sharing"). The sum is done as one matrix
product over *patches* (im2col): the patches are copied once into a (C·k·k, n·H_out·W_out) matrix with k² strided
slices, and W reshaped to (F, C·k·k) multiplies it. Backward is the same product transposed, and the patch gradients
are added back onto the image (col2im) with k² strided additions.
"""

from __future__ import annotations

import math

import numpy as np

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


def _window(X: np.ndarray, u: int, v: int, stride: int, ho: int, wo: int) -> np.ndarray:
    """The input that position (u, v) of every window sees: X[..., i·s + u, j·s + v] for all i, j (a view)."""
    return X[..., u : u + stride * ho : stride, v : v + stride * wo : stride]


def im2col(X: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """The patches of an (already padded) X (n, C, H, W) as columns: (C·k·k, n·H_out·W_out), rows in (c, u, v)
    order like a row of W reshaped to (F, C·k·k). Filled with k² strided copies (one per kernel position),
    which is faster than a sliding-window view for the small kernels used here."""
    n, c, h, w = X.shape
    ho, wo = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    cols = np.empty((c, kernel, kernel, n, ho, wo), dtype=X.dtype)
    channels_first = X.transpose(1, 0, 2, 3)
    for u in range(kernel):
        for v in range(kernel):
            cols[:, u, v] = _window(channels_first, u, v, stride, ho, wo)
    return cols.reshape(c * kernel * kernel, n * ho * wo)


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
    Z = W.reshape(F, -1) @ cols  # (F, n·Ho·Wo): every filter against every patch
    Z += b
    return Z.reshape(F, n, ho, wo).transpose(1, 0, 2, 3), cols


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
    d_rows = dZ.transpose(1, 0, 2, 3).reshape(F, n * ho * wo)
    dW = (d_rows @ cols.T).reshape(W.shape)
    db = d_rows.sum(axis=1).reshape(F, 1)
    if not need_input_grad:
        return dW, db, None
    d_cols = (W.reshape(F, -1).T @ d_rows).reshape(C, k, k, n, ho, wo)
    _, _, H, Wd = input_shape
    if padding == "same":
        top, bottom = same_padding(H, k, stride)
        left, right = same_padding(Wd, k, stride)
    else:
        top = bottom = left = right = 0
    dXp = np.zeros((C, n, H + top + bottom, Wd + left + right), dtype=dZ.dtype)
    for u in range(k):
        for v in range(k):
            _window(dXp, u, v, stride, ho, wo)[...] += d_cols[:, u, v]
    return dW, db, dXp[:, :, top : top + H, left : left + Wd].transpose(1, 0, 2, 3)


def pool_output_size(size: int, pool: int, stride: int) -> int:
    return (size - pool) // stride + 1


def maxpool_forward(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Max over each size×size window: (n, C, Ho, Wo), as size² element-wise maxima of strided views."""
    ho, wo = pool_output_size(X.shape[2], size, stride), pool_output_size(X.shape[3], size, stride)
    out = _window(X, 0, 0, stride, ho, wo).copy()
    for u in range(size):
        for v in range(size):
            np.maximum(out, _window(X, u, v, stride, ho, wo), out=out)
    return out


def maxpool_backward(dA: np.ndarray, X: np.ndarray, A: np.ndarray, size: int, stride: int) -> np.ndarray:
    """The gradient goes to the input that won each window (the first in row order on ties, as PyTorch);
    the others get 0. X is the pooled input, A the pooled output."""
    ho, wo = A.shape[2:]
    dX = np.zeros(X.shape, dtype=dA.dtype)
    unclaimed = np.ones(A.shape, dtype=bool)
    for u in range(size):
        for v in range(size):
            won = _window(X, u, v, stride, ho, wo) == A
            won &= unclaimed
            unclaimed &= ~won
            _window(dX, u, v, stride, ho, wo)[...] += np.where(won, dA, 0.0)
    return dX


def avgpool_forward(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Mean over each size×size window: (n, C, Ho, Wo)."""
    ho, wo = pool_output_size(X.shape[2], size, stride), pool_output_size(X.shape[3], size, stride)
    out = np.zeros((*X.shape[:2], ho, wo), dtype=X.dtype)
    for u in range(size):
        for v in range(size):
            out += _window(X, u, v, stride, ho, wo)
    out /= size * size
    return out


def avgpool_backward(dA: np.ndarray, input_shape: tuple[int, ...], size: int, stride: int) -> np.ndarray:
    """Every input of a window gets 1/size² of the window's gradient."""
    ho, wo = dA.shape[2:]
    dX = np.zeros(input_shape, dtype=dA.dtype)
    share = dA / (size * size)
    for u in range(size):
        for v in range(size):
            dX[:, :, u : u + stride * ho : stride, v : v + stride * wo : stride] += share
    return dX
