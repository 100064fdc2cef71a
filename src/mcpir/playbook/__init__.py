"""Incident playbooks: steps as data, tasks as code, an engine that journals every change."""
