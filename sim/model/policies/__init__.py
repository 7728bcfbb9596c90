"""Decision policies: the rules actors follow, chosen in the scenario by name (see ``registry``)."""
