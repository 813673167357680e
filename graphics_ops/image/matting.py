"""Closed-form matting (Levin, Lischinski and Weiss 2008), TensorFlow Graphics' `image.matting`.

In every size x size window w of the image, the matte is modelled as an affine function of the
colour, alpha_i = a · I_i + b. With A_w the window's `[size², C + 1]` matrix of rows [I_i, 1] and
the regularizer eps |a|², the best (a, b) for a matte patch m is P_w m with the pseudo-inverse
P_w = (A_wᵀ A_w + eps D)⁻¹ A_wᵀ, D = diag(1, ..., 1, 0); the residual m - A_w P_w m = L_w m defines
the window's matting Laplacian L_w = I - A_w P_w, and the matting loss is the mean of mᵀ L_w m.

Shapes: images `[B, H, W, C]`, mattes `[B, H, W, 1]`; windows lie wholly inside the image, so there
are `[B, H - pad, W - pad]` of them with pad = size - 1. The normal equations are solved by Cholesky
(the matrix is positive definite for eps > 0) instead of TensorFlow Graphics' explicit inverse.
"""

import math

import tensorflow as tf

from graphics_ops.util import arguments, shape, trace_hook


@trace_hook.op
def build_matrices(image, size=3, eps=1e-5, name="matting_build_matrices"):
    """The matting Laplacian and pseudo-inverse of every window.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      size: The window size, an odd positive Python int.
      eps: The regularizer weight, a positive Python float.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H - pad, W - pad, size², size²]` (the Laplacians L_w) and a tensor of
      shape `[B, H - pad, W - pad, C + 1, size²]` (the pseudo-inverses P_w).
    """
    with tf.name_scope(name):
        if not arguments.is_positive_int(size) or size % 2 == 0:
            raise ValueError(f"size must be an odd positive int, got {size!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        (image,) = shape.check_inputs(image=(image, (None, None, None, None)), unbatched=("image",))
        channels = image.shape[-1]
        if channels is None:
            raise ValueError("image must have a static number of channels C")
        patches = _patches(image, size)
        patches = tf.reshape(patches, tf.concat([tf.shape(patches)[:-1], [size * size, channels]], 0))
        affine = tf.concat([patches, tf.ones_like(patches[..., :1])], axis=-1)
        regularizer = tf.linalg.diag(tf.constant([eps] * channels + [0.0], image.dtype))
        normal = tf.linalg.matmul(affine, affine, transpose_a=True) + regularizer
        pseudo_inverse = tf.linalg.cholesky_solve(tf.linalg.cholesky(normal), tf.linalg.matrix_transpose(affine))
        laplacian = tf.eye(size * size, dtype=image.dtype) - tf.linalg.matmul(affine, pseudo_inverse)
        return laplacian, pseudo_inverse


@trace_hook.op
def linear_coefficients(matte, pseudo_inverse, name="matting_linear_coefficients"):
    """The affine coefficients (a, b) of `matte`, averaged over the windows covering each pixel.

    Args:
      matte: A tensor of shape `[B, H, W, 1]`.
      pseudo_inverse: A tensor of shape `[B, H - pad, W - pad, C + 1, size²]` from `build_matrices`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H, W, C]` (a) and a tensor of shape `[B, H, W, 1]` (b).
    """
    with tf.name_scope(name):
        matte, pseudo_inverse = _check_matte(matte, pseudo_inverse, "pseudo_inverse", (None, None))
        size = _window_size(pseudo_inverse, "pseudo_inverse")
        coefficients = tf.linalg.matvec(pseudo_inverse, _patches(matte, size))
        pad = size - 1
        padded = tf.pad(coefficients, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
        covering = tf.pad(tf.ones_like(coefficients[..., :1]), [[0, 0], [pad, pad], [pad, pad], [0, 0]])
        window = [1, size, size, 1]
        average = tf.nn.avg_pool2d(padded, window, 1, "VALID") / tf.nn.avg_pool2d(covering, window, 1, "VALID")
        return average[..., :-1], average[..., -1:]


@trace_hook.op
def loss(matte, laplacian, name="matting_loss"):
    """The matting loss: the mean over windows of mᵀ L_w m.

    Args:
      matte: A tensor of shape `[B, H, W, 1]`.
      laplacian: A tensor of shape `[B, H - pad, W - pad, size², size²]` from `build_matrices`.
      name: A name for this op.

    Returns:
      A scalar tensor.
    """
    with tf.name_scope(name):
        matte, laplacian = _check_matte(matte, laplacian, "laplacian", ("P", "P"))
        patches = _patches(matte, _window_size(laplacian, "laplacian"))
        return tf.reduce_mean(tf.reduce_sum(patches * tf.linalg.matvec(laplacian, patches), axis=-1))


@trace_hook.op
def reconstruct(image, coeff_mul, coeff_add, name="matting_reconstruct"):
    """The matte a · I + b at each pixel.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      coeff_mul: A tensor of shape `[B, H, W, C]`: a.
      coeff_add: A tensor of shape `[B, H, W, 1]`: b.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H, W, 1]`.
    """
    with tf.name_scope(name):
        image, coeff_mul, coeff_add = shape.check_inputs(
            image=(image, ("B", "H", "W", "C")),
            coeff_mul=(coeff_mul, ("B", "H", "W", "C")),
            coeff_add=(coeff_add, ("B", "H", "W", 1)),
            unbatched=("image", "coeff_mul", "coeff_add"),
        )
        return tf.reduce_sum(coeff_mul * image, axis=-1, keepdims=True) + coeff_add


def _check_matte(matte, matrices, argument, inner):
    return shape.check_inputs(
        matte=(matte, ("B", None, None, 1)),
        **{argument: (matrices, ("B", None, None, *inner))},
        unbatched=("matte", argument),
    )


def _window_size(matrices, argument):
    pixels = matrices.shape[-1]
    size = math.isqrt(pixels) if pixels is not None else 0
    if pixels is None or size * size != pixels or size % 2 == 0:
        raise ValueError(f"{argument} must have a last dimension size² for an odd size, got {matrices.shape}")
    return size


def _patches(image, size):
    """The size x size windows of `image` lying inside it: `[B, H - pad, W - pad, size² C]`."""
    return tf.image.extract_patches(image, [1, size, size, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
