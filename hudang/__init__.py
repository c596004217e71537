"""hudang (户档): the reading-room system for a power utility's customer archive."""

__version__ = "0.1.0"
