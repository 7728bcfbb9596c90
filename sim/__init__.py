"""European air- and drone-defence scenario simulator."""
