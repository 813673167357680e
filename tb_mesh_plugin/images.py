"""Image summaries of TensorBoard's image plugin, for the image strip of the 3D tab's scene cards.

The image plugin (`tf.summary.image`, `add_image` of torch and tensorboardX) stores each step as a blob
sequence `[width, height, image 0, image 1, ...]`: two decimal strings, then one encoded image (PNG
for `tf.summary.image`) per element of the batch. Everything is read through the data provider, so
both loaders serve it and no TensorFlow is needed. Errors are TensorBoard's `errors.NotFoundError`
(unknown run, tag, step or image) and `errors.InvalidArgumentError` (a bad parameter), which the
plugin's routes answer as JSON 404 and 400.
"""

from tensorboard import errors
from tensorboard.data import provider

PLUGIN_NAME = "images"
# Blobs before the first image in each step: its width and height.
_SIZE_BLOBS = 2
# Encoded image formats by their first bytes, for the response's content type.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def content_type(data):
    """The MIME type of encoded image bytes by their signature (WebP too), else `application/octet-stream`."""
    head = bytes(data[:12])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), "application/octet-stream")


class ImageReader:
    """Lists a logdir's image summaries and reads one image of one step.

    Args:
      data_provider: TensorBoard's data provider.
      downsample: how many steps per tag to read (TensorBoard keeps at most its own sampling's number).
    """

    def __init__(self, data_provider, downsample):
        self._data_provider = data_provider
        self._downsample = downsample

    def listing(self, ctx, experiment):
        """`{"runs": {run: {tag: {"description", "samples", "steps": [{"step", "wall_time"}]}}}}`.

        `samples` is the most images a step of the tag holds; steps are the kept ones, ascending.
        """
        series = self._data_provider.list_blob_sequences(ctx, experiment_id=experiment, plugin_name=PLUGIN_NAME)
        data = self._data_provider.read_blob_sequences(
            ctx, experiment_id=experiment, plugin_name=PLUGIN_NAME, downsample=self._downsample
        )
        runs = {}
        for run, tags in series.items():
            for tag, meta in tags.items():
                steps = data.get(run, {}).get(tag, [])
                runs.setdefault(run, {})[tag] = {
                    "description": meta.description,
                    "samples": max(meta.max_length - _SIZE_BLOBS, 0),
                    "steps": [{"step": d.step, "wall_time": d.wall_time} for d in steps],
                }
        return {"runs": runs}

    def locate(self, ctx, experiment, run, tag, step, index):
        """Image `index` of the kept step of `run`/`tag` nearest at or before `step`.

        Returns `(blob key, the step read, its wall time)`; `read` fetches the bytes.
        """
        if index < 0:
            raise errors.InvalidArgumentError("query parameter 'index' must not be negative")
        data = self._data_provider.read_blob_sequences(
            ctx,
            experiment_id=experiment,
            plugin_name=PLUGIN_NAME,
            downsample=self._downsample,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
        )
        steps = data.get(run, {}).get(tag)
        if steps is None:
            raise errors.NotFoundError(f"no image summary for run {run!r} and tag {tag!r}")
        earlier = [d for d in steps if d.step <= step]
        if not earlier:
            raise errors.NotFoundError(f"run {run!r}, tag {tag!r} has no kept image step at or before step {step}")
        datum = max(earlier, key=lambda d: d.step)
        images = datum.values[_SIZE_BLOBS:]
        if index >= len(images):
            raise errors.NotFoundError(f"image {index} is out of range: step {datum.step} holds {len(images)}")
        return images[index].blob_key, datum.step, datum.wall_time

    def read(self, ctx, blob_key):
        """`(encoded bytes, content type)` of the image at `blob_key` (from `locate`)."""
        blob = self._data_provider.read_blob(ctx, blob_key=blob_key)
        return blob, content_type(blob)
