"""`python -m builder` runs the claimset CLI."""

from builder.cli import app

app(prog_name="claimset")
