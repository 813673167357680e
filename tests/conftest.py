"""Shared fixtures: TensorFlow set up quietly, and a fresh logdir path per test."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture
def logdir(tmp_path):
    return tmp_path / "logs"
