"""A faithful local Hireflix: the company GraphQL API (`POST /me`) over real HTTP with SQLite state.

It imports nothing from `hireflix_mcp`; the MCP server talks to it exactly as it talks to Hireflix.
"""
