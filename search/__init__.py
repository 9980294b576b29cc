"""Search backends for the directory: the protocol, text folding, and the implementations."""
