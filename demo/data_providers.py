"""TensorBoard's data providers over a logdir, in this process: the plugin's reads without a `tensorboard` server.

Shared by `bench/` and the tests: `python_data_provider` is the Python loader's (`--load_fast=false`),
`rustboard_data_provider` starts RustBoard's data server (`--load_fast=true`) as `tensorboard` does.
"""

import contextlib


def python_data_provider(logdir, sampling_hints=None):
    """TensorBoard's Python-loader data provider over `logdir`, loaded once.

    Without `sampling_hints` every step of mesh3d summaries is loaded; with them, steps are kept as
    `tensorboard --samples_per_plugin=...` keeps them (10 per tag unless a hint says otherwise).
    """
    from tensorboard.backend.event_processing import (
        data_ingester,
        data_provider,
        event_accumulator,
        plugin_event_multiplexer,
    )

    if sampling_hints is None:
        guidance = {"tensor_size_guidance": {"mesh3d": 0}}
    else:
        guidance = {
            "size_guidance": event_accumulator.DEFAULT_SIZE_GUIDANCE,
            "tensor_size_guidance": {**data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE, **sampling_hints},
        }
    multiplexer = plugin_event_multiplexer.EventMultiplexer(**guidance)
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, str(logdir))


@contextlib.contextmanager
def rustboard_data_provider(logdir, sampling_hints):
    """A RustBoard data server over `logdir` (`sampling_hints` as `--samples_per_plugin`); yields its provider.

    The server loads the logdir in the background: callers wait for the steps they read.
    """
    from tensorboard.data import server_ingester
    from tensorboard.util import grpc_util

    ingester = server_ingester.SubprocessServerDataIngester(
        server_ingester.get_server_binary(),
        str(logdir),
        reload_interval=0,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin=sampling_hints,
    )
    ingester.start()
    try:
        yield ingester.data_provider
    finally:
        ingester._stdin_handle.close()  # the server runs with --die-after-stdin: this stops it
