"""The matcher: needs -> assured listings that can serve a school, with reasons (issue 5)."""
