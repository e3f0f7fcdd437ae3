"""Applicant- and reviewer-facing views, thin wrappers around selectors and services."""
