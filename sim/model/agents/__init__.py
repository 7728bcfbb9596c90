"""The Mesa agents: EU, NATO, member states, Ukraine, the adversary and suppliers."""
