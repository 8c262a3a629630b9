"""Tests of the pages (`service.web`)."""
