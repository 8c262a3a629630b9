"""Empowerment scoring: index definitions (as data) applied to evaluation records, vectorised."""
