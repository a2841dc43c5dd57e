"""Datasette as the browsing interface: plugin hooks, PDF route and metadata.

``quartiers browse`` registers :mod:`quartiers.datasette.plugin` in the Datasette it
starts and hands it the metadata built by :mod:`quartiers.datasette.metadata`.
"""
