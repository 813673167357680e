"""The plugin's name and the metadata stored with each of its summaries.

`plugin_data.content` holds a small UTF-8 JSON object rather than a protobuf message: it is read by
Python only to list tags, JSON needs no generated code (so no coupling between protoc and the installed
protobuf runtime), and the object stays readable in any event-file dump. It carries a format version
so newer writers can be detected.

Version 2 added per-vertex and per-face attributes (`attributes`, a list of
`{"name", "placement", "components"}`); version-1 content reads as having none. Version 3 added
quantised positions (`quantize`: "float16" or "uint16") and per-face colours (`face_color_channels`).
A writer stamps the oldest version that can hold what it wrote, so summaries without either stay
readable by version-2 readers.

Camera summaries (`summary.camera`, `MeshWriter.camera`) are `lines` whose content also holds
`"camera": true`: each sample's vertices are 9 per camera (the 8 frustum corners and the tip of the up
triangle, `summary.frustum_lines`), from which the viewer derives each camera's pose, up and field of
view. The key needs no new version: readers of any version ignore keys they do not know, and draw the
frustums as the lines they are.
"""

import json

from tensorboard.compat.proto import summary_pb2

from tb_mesh_plugin import schema

PLUGIN_NAME = "mesh3d"
FORMAT_VERSION = 3
# The version of summaries with neither quantised positions nor per-face colours.
PLAIN_FORMAT_VERSION = 2
# Versions this plugin reads: version 1 summaries (before attributes) are still read.
READABLE_VERSIONS = (1, 2, 3)
# How positions can be stored: float32 (None), float16, or 16-bit fixed point per axis.
QUANTIZATIONS = (None, "float16", "uint16")
KINDS = ("mesh", "point_cloud", "lines")
# The metadata key that counts a kind's index rows.
_INDEX_COUNT_KEYS = {"mesh": "face_count", "lines": "segment_count"}


class MetadataError(ValueError):
    """The plugin content of a summary cannot be read by this version."""


def format_version(quantize, face_color_channels):
    """The oldest format version that holds summaries with these options."""
    return FORMAT_VERSION if quantize or face_color_channels else PLAIN_FORMAT_VERSION


def create_summary_metadata(
    kind,
    *,
    vertex_count,
    index_count,
    samples,
    color_channels,
    description,
    attributes=(),
    quantize=None,
    face_color_channels=0,
    camera=False,
):
    """Returns the `SummaryMetadata` proto of one summary of `kind` (one of `KINDS`).

    Counts are ints, or None where they are unknown when the summary is traced. `index_count` counts
    faces of a mesh or segments of lines, and is None for point clouds and meshes without faces.
    `attributes` lists `{"name", "placement", "components"}` dicts, in logged order. `quantize` is one
    of `QUANTIZATIONS`; `face_color_channels` is 0, 3 or 4.
    """
    version = format_version(quantize, face_color_channels)
    content = {"version": version, "kind": kind, "vertex_count": vertex_count}
    if kind in _INDEX_COUNT_KEYS:
        content[_INDEX_COUNT_KEYS[kind]] = index_count
    content.update(samples=samples, color_channels=color_channels, attributes=list(attributes))
    if version >= 3:
        content.update(quantize=quantize, face_color_channels=face_color_channels)
    if camera:
        if kind != "lines":
            raise ValueError(f"camera summaries are lines, got kind {kind!r}")
        content["camera"] = True
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
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise MetadataError(f"summary metadata is not valid JSON: {e!r}") from None
    if not isinstance(parsed, dict):
        raise MetadataError("summary metadata is not a JSON object")
    version = parsed.get("version")
    if version not in READABLE_VERSIONS:
        raise MetadataError(
            f"summary metadata has format version {version!r}; this plugin reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}"
        )
    if parsed.get("kind") not in KINDS:
        raise MetadataError(f"unknown summary kind {parsed.get('kind')!r}")
    parsed["attributes"] = check_attributes(parsed.get("attributes", []), MetadataError)
    parsed["camera"] = parsed.get("camera") is True and parsed["kind"] == "lines"
    return parsed


def check_attributes(attributes, error):
    """Checks a stored list of attribute descriptions; returns it, or raises `error(message)`."""
    if not isinstance(attributes, list):
        raise error("attribute list is not a list")
    for entry in attributes:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and entry.get("placement") in schema.ATTRIBUTE_PLACEMENTS
            and type(entry.get("components")) is int
            and entry["components"] in schema.ATTRIBUTE_COMPONENTS
        ):
            raise error(f"malformed attribute description {entry!r}")
    return attributes
