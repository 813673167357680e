"""Differentiable graphics in plain TensorFlow, following TensorFlow Graphics' names and conventions.

Subpackages:
  transformation: rotations (quaternions, matrices, axis-angle, Euler, 6d, so3) and rigid
    transforms (dual quaternions, se3, 4x4 matrices, skinning, look-at).
  camera: perspective and orthographic projection, lens distortion, and a `Camera` value.
  reflectance: BRDFs (Lambertian, Phong, Blinn-Phong, GGX metallic-roughness).
  lighting: point, directional and ambient lights; spherical harmonics.
  mesh: normals, areas, surface sampling, edges, Laplacians, point-set distances, file loading,
    the as-conformal-as-possible deformation energy.
  geometry: rays (sampling along them, triangulation, sphere intersection), points and grids.
  nn: networks on meshes and point clouds: graph convolutions (FeaStNet, edge convolutions),
    pooling between mesh resolutions, neighbourhoods (mesh adjacency, k-nearest neighbours), and
    Keras 3 layers (graph convolutions, DGCNN's EdgeConv, PointNet); losses (Chamfer, Hausdorff)
    and metrics (precision, recall, F-score, intersection over union).
  image: pyramids, resampling and projective warps, sRGB conversions, closed-form matting.
  math: spherical coordinates, factorials, vectors, interpolation (B-splines, slerp, trilinear,
    weighted), Levenberg-Marquardt least squares, 1D sampling along rays, positional encoding.
"""
