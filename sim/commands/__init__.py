"""The commands of the ``sim`` command line, one module per group; ``sim.cli`` registers them."""
