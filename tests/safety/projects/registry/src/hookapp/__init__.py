"""hookapp: commands, routes, events and exporters, all found through registries."""

__version__ = "2.1"
