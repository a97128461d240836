"""The bundled data files: rule sets, deprivation indices, code lists, the demo list.

This folder is installed as the package ``workbench.bundled`` (pyproject.toml
maps the one onto the other), so every file here ships inside the installed
package. Code finds them through ``workbench.resources.resource_path``.
"""
