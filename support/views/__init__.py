"""Support pages, one module per sub-domain: the no-JavaScript chat start, the moderators' console and the
dashboard."""
