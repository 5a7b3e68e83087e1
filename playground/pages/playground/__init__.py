"""The Playground page: build a network, press Play, watch it learn."""
