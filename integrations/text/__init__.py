"""Text adapters: the word cutter search relevance uses (jieba)."""
