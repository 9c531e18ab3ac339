"""One module per user flow; each composes memory, search, rules and llm."""
