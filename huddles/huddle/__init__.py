"""The huddle screen: run a five-minute huddle, its notes, and check-in by QR code."""
