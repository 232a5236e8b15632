"""INTERFACE PLACEHOLDER — implemented by the dit-hub work. See docstrings for the contract."""
