"""What is remembered: the SQLite store, Markdown meetings in and out, the action ledger."""
