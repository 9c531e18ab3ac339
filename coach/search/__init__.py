"""Finding past meetings: embeddings, the vector index and fused retrieval."""
