"""Engines behind every flow: deterministic offline rules and the LLM engine, joined by `with_fallback`."""
