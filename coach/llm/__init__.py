"""The LLM path: engine, fallback, prompt files and the grounding checks of its output."""
