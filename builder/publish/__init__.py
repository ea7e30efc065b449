"""Releases: `publish` a run folder as a Hugging Face dataset folder, `rebuild` it from its manifest."""

from builder.publish.rebuild import RebuildReport, rebuild
from builder.publish.release import PublishOptions, Release, publish

__all__ = ["PublishOptions", "RebuildReport", "Release", "publish", "rebuild"]
