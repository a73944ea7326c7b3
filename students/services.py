"""Writes to students and enrollments."""
