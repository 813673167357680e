"""The plugin's name and the metadata stored with each of its summaries.

`plugin_data.content` holds a small UTF-8 JSON object rather than a protobuf message: it is read by
Python only to list tags, JSON needs no generated code (so no coupling between protoc and the installed
protobuf runtime), and the object stays readable in any event-file dump. It carries a format version
so newer writers can be detected.
"""

import json

from tensorboard.compat.proto import summary_pb2

PLUGIN_NAME = "mesh3d"
FORMAT_VERSION = 1
KINDS = ("mesh", "point_cloud", "lines")
# The metadata key that counts a kind's index rows.
_INDEX_COUNT_KEYS = {"mesh": "face_count", "lines": "segment_count"}


class MetadataError(ValueError):
    """The plugin content of a summary cannot be read by this version."""


def create_summary_metadata(kind, *, vertex_count, index_count, samples, color_channels, description):
    """Returns the `SummaryMetadata` proto of one summary of `kind` (one of `KINDS`).

    Counts are ints, or None where they are unknown when the summary is traced. `index_count` counts
    faces of a mesh or segments of lines, and is None for point clouds and meshes without faces.
    """
    content = {"version": FORMAT_VERSION, "kind": kind, "vertex_count": vertex_count}
    if kind in _INDEX_COUNT_KEYS:
        content[_INDEX_COUNT_KEYS[kind]] = index_count
    content.update(samples=samples, color_channels=color_channels)
    return summary_pb2.SummaryMetadata(
        summary_description=description or "",
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=json.dumps(content).encode("utf-8")
        ),
        data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    )


def parse_plugin_content(content):
    """Parses `plugin_data.content` bytes into a dict; raises `MetadataError` if unreadable."""
    try:
        parsed = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise MetadataError(f"summary metadata is not valid JSON: {e}") from None
    if not isinstance(parsed, dict):
        raise MetadataError("summary metadata is not a JSON object")
    version = parsed.get("version")
    if version != FORMAT_VERSION:
        raise MetadataError(
            f"summary metadata has format version {version!r}; this plugin reads version {FORMAT_VERSION}"
        )
    if parsed.get("kind") not in KINDS:
        raise MetadataError(f"unknown summary kind {parsed.get('kind')!r}")
    return parsed
