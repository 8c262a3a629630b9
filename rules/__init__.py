"""Proposal checks: the PPM knowledge base compiled to durable-rules, findings and explanations."""
