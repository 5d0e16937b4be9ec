"""AI-search readiness: how well an AI shopping assistant can answer buyers from a listing."""
