"""Legacy."""

NAME = "café"
