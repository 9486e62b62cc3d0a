"""What the model sees: output models and the mappers from client models to them.

Shared by tools, resources and prompts, so one fact reads the same wherever a model meets it:
- `common`: times (`iso`), ids, the candidate's display name, the interview link, compact list items.
- `errors`: the model-facing text of a Hireflix failure, with retry advice.
- `confirmation`: the fields of a confirmed tool's result.
- `positions`, `interviews`: output models and mappers for those objects.

May import: the Hireflix client's models and errors, `sanitize`, pydantic. Never `tools/` or `mcp`.
"""
