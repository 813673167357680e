// The `config_dict` of TensorBoard's built-in mesh summaries (three.js class names and settings), as
// far as it makes sense here: the camera's field of view and position, and the material's colour and
// (world-unit) point size. Anything malformed is ignored: it is user data.

const finite = (x) => typeof x === 'number' && Number.isFinite(x);

/**
 * @param {object} config the tag's `config` (docs/http-api.md), or undefined.
 * @returns {{fov: (number|null), position: (number[]|null), color: (number|null), pointWorldSize: (number|null)}}
 */
export function builtinLook(config) {
  const camera = config && typeof config.camera === 'object' && config.camera ? config.camera : {};
  const material = config && typeof config.material === 'object' && config.material ? config.material : {};
  const position =
    Array.isArray(camera.position) && camera.position.length === 3 && camera.position.every(finite)
      ? camera.position
      : null;
  const color =
    Number.isInteger(material.color) && material.color >= 0 && material.color <= 0xffffff
      ? material.color
      : typeof material.color === 'string' && /^#[0-9a-f]{6}$/i.test(material.color)
        ? parseInt(material.color.slice(1), 16)
        : null;
  return {
    fov: finite(camera.fov) && camera.fov > 1 && camera.fov < 179 ? camera.fov : null,
    position,
    color,
    pointWorldSize: finite(material.size) && material.size > 0 ? material.size : null,
  };
}
