"""Models arrive with this stage's issue."""
