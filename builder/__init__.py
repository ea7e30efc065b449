"""claimset: news articles in, a versioned dataset of human-verified claims out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("claimset")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
