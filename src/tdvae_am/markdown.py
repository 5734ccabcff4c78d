"""Markdown pieces of the generated documentation blocks."""


def table(header: list, rows: list) -> str:
    """A pipe table; a ``|`` inside a cell is escaped."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(c).replace("|", r"\|") for c in line) + " |" for line in lines)
