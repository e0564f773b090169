"""The support assistant: a plain function over text plus context."""
