"""LLM chat over the socket (grows with the chat issue)."""
