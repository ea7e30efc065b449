"""Label Studio round trip: local server, labeling interface, push/pull, agreement."""
