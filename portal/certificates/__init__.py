"""Certificates: facts about attendance turned into verifiable PDFs."""
