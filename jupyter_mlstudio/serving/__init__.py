"""Real-time endpoints: model servers and the router in front of them."""
