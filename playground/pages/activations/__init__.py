"""The Activation gallery: every activation and its slope, one up close, the output choice."""
